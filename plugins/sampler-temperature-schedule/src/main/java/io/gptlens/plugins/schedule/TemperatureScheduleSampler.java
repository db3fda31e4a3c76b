package io.gptlens.plugins.schedule;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;
import io.gptlens.core.sampling.BaseSamplerProvider;
import io.gptlens.core.sampling.Sampler;
import io.gptlens.core.sampling.TemperatureSampler;

import java.util.List;

/**
 * A temperature that changes with the position: {@code T(n) = T_end + (T_start − T_end) · decay^n},
 * n being the number of tokens generated so far (counted by {@link #accept}). Starting hot and
 * cooling down explores at the beginning of a text and settles later (an exponential schedule as
 * in simulated annealing, Kirkpatrick et al. 1983). No-op when {@code T_start = T_end = 1}.
 */
public final class TemperatureScheduleSampler implements Sampler {

    private final double start;
    private final double end;
    private final double decay;
    private int n;

    public TemperatureScheduleSampler(double start, double end, double decay) {
        this.start = start;
        this.end = end;
        this.decay = decay;
    }

    @Override
    public String name() {
        return "temperature-schedule";
    }

    /** The temperature at step {@code n}. */
    public double temperature(int step) {
        return end + (start - end) * Math.pow(decay, step);
    }

    @Override
    public void apply(Candidates c) {
        new TemperatureSampler(Math.max(0, temperature(n))).apply(c); // core's temperature at this step's T
    }

    @Override
    public void accept(int token) {
        n++;
    }

    @Override
    public void reset() {
        n = 0;
    }

    @Override
    public TemperatureScheduleSampler copy() {
        TemperatureScheduleSampler s = new TemperatureScheduleSampler(start, end, decay);
        s.n = n;
        return s;
    }

    /** Provider {@code temperature-schedule}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("temperature-schedule", Kind.RESHAPE,
                    "Temperature decaying from t_start to t_end by decay per generated token; 1, 1 is a no-op.",
                    List.of(ParamSpec.ofFloat("t_start", 0, 10, 1.5, "Temperature of the first token."),
                            ParamSpec.ofFloat("t_end", 0, 10, 0.7, "Temperature it tends to."),
                            ParamSpec.ofFloat("decay", 0, 1, 0.9, "Factor per token by which the distance to t_end shrinks.")),
                    p -> new TemperatureScheduleSampler(p.getDouble("t_start"), p.getDouble("t_end"), p.getDouble("decay")));
        }
    }
}
