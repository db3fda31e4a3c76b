package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.List;

/**
 * Divides logits by a temperature T (softmax with temperature: {@code p ~ exp(l / T)}). T &lt; 1
 * sharpens, T &gt; 1 flattens; T = 0 keeps only the most likely token (the limit T -&gt; 0).
 * No-op at T = 1.
 */
public final class TemperatureSampler implements Sampler {

    private final double t;

    public TemperatureSampler(double t) {
        if (!(t >= 0)) {
            throw new IllegalArgumentException("Temperature must be >= 0, got " + t);
        }
        this.t = t;
    }

    @Override
    public String name() {
        return "temperature";
    }

    @Override
    public void apply(Candidates c) {
        if (t == 1) {
            return;
        }
        if (t <= 0) {
            c.select(c.argmax());
            return;
        }
        c.scaleLogits(t);
    }

    @Override
    public TemperatureSampler copy() {
        return this;
    }

    /** Provider {@code temperature}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("temperature", Kind.RESHAPE, "Divides logits by T; T = 0 keeps only the argmax, T = 1 is a no-op.",
                    List.of(ParamSpec.ofFloat("t", 0, 1000, 1.0, "Temperature; 0 = greedy, 1 = no change, larger = flatter.")),
                    p -> new TemperatureSampler(p.getDouble("t")));
        }
    }
}
