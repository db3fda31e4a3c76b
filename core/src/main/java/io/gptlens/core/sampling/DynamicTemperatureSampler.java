package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.List;

/**
 * Entropy-based dynamic temperature (kalomaze; llama.cpp's {@code llama_sampler_init_temp_ext}):
 * the temperature ranges over {@code [max(0, t - delta), t + delta]} according to the normalised
 * entropy of the distribution: {@code T = Tmin + (Tmax - Tmin) * (H / log n)^exponent}. A confident
 * distribution gets a low temperature, an uncertain one a high temperature. With
 * {@code delta = 0} it is plain temperature {@code t} (a no-op when also {@code t = 1}).
 */
public final class DynamicTemperatureSampler implements Sampler {

    private final double t;
    private final double delta;
    private final double exponent;

    public DynamicTemperatureSampler(double t, double delta, double exponent) {
        this.t = t;
        this.delta = delta;
        this.exponent = exponent;
    }

    @Override
    public String name() {
        return "dynamic-temperature";
    }

    @Override
    public void apply(Candidates c) {
        if (delta <= 0) {
            new TemperatureSampler(t).apply(c);
            return;
        }
        if (c.size() <= 1) {
            return;
        }
        double minT = Math.max(0, t - delta);
        double maxT = t + delta;
        double maxEntropy = Math.log(c.size());
        c.softmax();
        double entropy = 0;
        for (int i = 0; i < c.size(); i++) {
            double p = c.p(i);
            if (p > 0) {
                entropy -= p * Math.log(p);
            }
        }
        double normalized = entropy / maxEntropy;
        double dynT = minT + (maxT - minT) * Math.pow(normalized, exponent);
        new TemperatureSampler(dynT).apply(c);
    }

    @Override
    public DynamicTemperatureSampler copy() {
        return this;
    }

    /** Provider {@code dynamic-temperature}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("dynamic-temperature", Kind.RESHAPE,
                    "Entropy-scaled temperature in [t - delta, t + delta] (kalomaze's dynamic temperature).",
                    List.of(ParamSpec.ofFloat("t", 0, 1000, 1.0, "Centre temperature."),
                            ParamSpec.ofFloat("delta", 0, 1000, 0.0, "Half-width of the range; 0 = plain temperature."),
                            ParamSpec.ofFloat("exponent", 0, 100, 1.0, "Exponent applied to the normalised entropy.")),
                    p -> new DynamicTemperatureSampler(p.getDouble("t"), p.getDouble("delta"), p.getDouble("exponent")));
        }
    }
}
