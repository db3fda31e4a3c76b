package io.gptlens.plugins.topa;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.sampling.SamplerContract;
import io.gptlens.core.sampling.SamplerProvider;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class TopASamplerTest extends SamplerContract {

    protected SamplerProvider provider() { return new TopASampler.Provider(); }
    protected Map<String, ?> activeParams() { return Map.of("a", 0.5); }
    protected Map<String, ?> noOpParams() { return Map.of("a", 0.0); }

    @Test
    void cutsBelowAPMaxSquared() {
        // p = 0.5, 0.25, 0.125, 0.0625, 0.0625; a = 0.5 -> threshold 0.125
        Candidates c = Candidates.fromLogits(new float[]{(float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.125),
                (float) Math.log(0.0625), (float) Math.log(0.0625)});
        new TopASampler(0.5).apply(c);
        assertArrayEquals(new int[]{0, 1, 2}, c.ids());
    }
}
