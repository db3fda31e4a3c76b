package io.gptlens.core.sampling;

import org.junit.jupiter.api.Nested;

import java.util.Map;

/** Every built-in sampler against {@link SamplerContract}. */
class BuiltInSamplerContractTest {

    @Nested
    class Greedy extends SamplerContract {
        protected SamplerProvider provider() { return new GreedyPicker.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of(); }
        protected Map<String, ?> noOpParams() { return null; }
    }

    @Nested
    class Dist extends SamplerContract {
        protected SamplerProvider provider() { return new DistPicker.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("seed", 42); }
        protected Map<String, ?> noOpParams() { return null; }
    }

    @Nested
    class Temperature extends SamplerContract {
        protected SamplerProvider provider() { return new TemperatureSampler.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("t", 0.7); }
        protected Map<String, ?> noOpParams() { return Map.of("t", 1.0); }
    }

    @Nested
    class DynamicTemperature extends SamplerContract {
        protected SamplerProvider provider() { return new DynamicTemperatureSampler.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("t", 0.8, "delta", 0.5, "exponent", 1.0); }
        protected Map<String, ?> noOpParams() { return Map.of("t", 1.0, "delta", 0.0); }
    }

    @Nested
    class TopK extends SamplerContract {
        protected SamplerProvider provider() { return new TopKSampler.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("k", 10); }
        protected Map<String, ?> noOpParams() { return Map.of("k", 0); }
    }

    @Nested
    class TopP extends SamplerContract {
        protected SamplerProvider provider() { return new TopPSampler.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("p", 0.9); }
        protected Map<String, ?> noOpParams() { return Map.of("p", 1.0); }
    }

    @Nested
    class MinP extends SamplerContract {
        protected SamplerProvider provider() { return new MinPSampler.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("p", 0.1); }
        protected Map<String, ?> noOpParams() { return Map.of("p", 0.0); }
    }

    @Nested
    class Typical extends SamplerContract {
        protected SamplerProvider provider() { return new TypicalSampler.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("p", 0.5); }
        protected Map<String, ?> noOpParams() { return Map.of("p", 1.0); }
    }

    @Nested
    class TopNSigma extends SamplerContract {
        protected SamplerProvider provider() { return new TopNSigmaSampler.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("n", 1.0); }
        protected Map<String, ?> noOpParams() { return Map.of("n", 0.0); }
    }

    @Nested
    class Xtc extends SamplerContract {
        protected SamplerProvider provider() { return new XtcSampler.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("probability", 1.0, "threshold", 0.05, "seed", 1); }
        protected Map<String, ?> noOpParams() { return Map.of("probability", 0.0); }
    }

    @Nested
    class Penalties extends SamplerContract {
        protected SamplerProvider provider() { return new PenaltiesSampler.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("last_n", 16, "repeat", 1.3, "frequency", 0.2, "presence", 0.5); }
        protected Map<String, ?> noOpParams() { return Map.of("last_n", 16); }
    }

    @Nested
    class Dry extends SamplerContract {
        protected SamplerProvider provider() { return new DrySampler.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("multiplier", 0.8); }
        protected Map<String, ?> noOpParams() { return Map.of("multiplier", 0.0); }
    }

    @Nested
    class LogitBias extends SamplerContract {
        protected SamplerProvider provider() { return new LogitBiasSampler.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("bias", "1:-inf,2:5"); }
        protected Map<String, ?> noOpParams() { return Map.of("bias", ""); }
    }

    @Nested
    class Mirostat extends SamplerContract {
        protected SamplerProvider provider() { return new MirostatPicker.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("tau", 3.0, "seed", 5); }
        protected Map<String, ?> noOpParams() { return null; }
    }

    @Nested
    class MirostatV2 extends SamplerContract {
        protected SamplerProvider provider() { return new MirostatV2Picker.Provider(); }
        protected Map<String, ?> activeParams() { return Map.of("tau", 3.0, "seed", 5); }
        protected Map<String, ?> noOpParams() { return null; }
    }
}
