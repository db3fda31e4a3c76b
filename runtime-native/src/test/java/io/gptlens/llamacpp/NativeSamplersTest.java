package io.gptlens.llamacpp;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.sampling.MinPSampler;
import io.gptlens.core.sampling.SamplerContract;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.sampling.SamplerStage;
import io.gptlens.core.sampling.TemperatureSampler;
import io.gptlens.core.sampling.TopKSampler;
import io.gptlens.core.sampling.TopPSampler;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** llama.cpp's samplers through FFM: the shared contract, and agreement with the Java samplers. */
class NativeSamplersTest {

    @Nested
    class TopK extends SamplerContract {
        protected SamplerProvider provider() { return new NativeSamplers.TopK(); }
        protected Map<String, ?> activeParams() { return Map.of("k", 10); }
        protected Map<String, ?> noOpParams() { return null; } // llama.cpp sorts even when k = 0
    }

    @Nested
    class TopP extends SamplerContract {
        protected SamplerProvider provider() { return new NativeSamplers.TopP(); }
        protected Map<String, ?> activeParams() { return Map.of("p", 0.9); }
        protected Map<String, ?> noOpParams() { return null; }
    }

    @Nested
    class Temperature extends SamplerContract {
        protected SamplerProvider provider() { return new NativeSamplers.Temperature(); }
        protected Map<String, ?> activeParams() { return Map.of("t", 0.5); }
        protected Map<String, ?> noOpParams() { return Map.of("t", 1.0); }
    }

    @Nested
    class Dist extends SamplerContract {
        protected SamplerProvider provider() { return new NativeSamplers.Dist(); }
        protected Map<String, ?> activeParams() { return Map.of("seed", 3); }
        protected Map<String, ?> noOpParams() { return null; }
    }

    @Nested
    class Greedy extends SamplerContract {
        protected SamplerProvider provider() { return new NativeSamplers.Greedy(); }
        protected Map<String, ?> activeParams() { return Map.of(); }
        protected Map<String, ?> noOpParams() { return null; }
    }

    @Nested
    class MirostatV2 extends SamplerContract {
        protected SamplerProvider provider() { return new NativeSamplers.MirostatV2(); }
        protected Map<String, ?> activeParams() { return Map.of("seed", 3, "tau", 3.0); }
        protected Map<String, ?> noOpParams() { return null; }
    }

    private static float[] logits(long seed) {
        Random r = new Random(seed);
        float[] l = new float[300];
        for (int i = 0; i < l.length; i++) {
            l[i] = (float) (r.nextGaussian() * 2);
        }
        return l;
    }

    private static int[] sortedIds(Candidates c) {
        int[] ids = c.ids();
        Arrays.sort(ids);
        return ids;
    }

    private static Candidates apply(SamplerProvider p, Map<String, ?> params, float[] l) {
        Candidates c = Candidates.fromLogits(l);
        try (SamplerStage s = p.create(params)) {
            ((io.gptlens.core.sampling.Sampler) s).apply(c);
        }
        return c;
    }

    @Test
    void javaAndNativeSamplersKeepTheSameTokens() {
        for (long seed = 0; seed < 10; seed++) {
            float[] l = logits(seed);
            assertArrayEquals(sortedIds(apply(new TopKSampler.Provider(), Map.of("k", 17), l)),
                    sortedIds(apply(new NativeSamplers.TopK(), Map.of("k", 17), l)));
            assertArrayEquals(sortedIds(apply(new TopPSampler.Provider(), Map.of("p", 0.8), l)),
                    sortedIds(apply(new NativeSamplers.TopP(), Map.of("p", 0.8), l)));
            assertArrayEquals(sortedIds(apply(new MinPSampler.Provider(), Map.of("p", 0.1), l)),
                    sortedIds(apply(new NativeSamplers.MinP(), Map.of("p", 0.1), l)));
            Candidates a = apply(new TemperatureSampler.Provider(), Map.of("t", 0.7), l);
            Candidates b = apply(new NativeSamplers.Temperature(), Map.of("t", 0.7), l);
            for (int i = 0; i < b.size(); i++) {
                assertEquals(a.logit(a.indexOf(b.id(i))), b.logit(i), 1e-5f);
            }
        }
    }

    @Test
    void nativeStagesAreRegisteredAndOwnTheirHandle() {
        var all = NamedProviders.load(SamplerProvider.class, getClass().getClassLoader());
        assertTrue(all.all().containsKey("llama.top-k") && all.all().containsKey("top-k"));
        assertTrue(all.conflicts().isEmpty(), all.conflicts().toString());
        SamplerStage s = new NativeSamplers.TopK().create(Map.of("k", 3));
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, () -> ((io.gptlens.core.sampling.Sampler) s).apply(Candidates.fromLogits(new float[]{1, 2, 3, 4})));
    }
}
