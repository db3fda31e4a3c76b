package io.gptlens.plugins.eta;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.sampling.SamplerContract;
import io.gptlens.core.sampling.SamplerProvider;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class EtaSamplerTest extends SamplerContract {

    protected SamplerProvider provider() { return new EtaSampler.Provider(); }
    protected Map<String, ?> activeParams() { return Map.of("epsilon", 0.02); }
    protected Map<String, ?> noOpParams() { return Map.of("epsilon", 0.0); }

    @Test
    void cutOffFollowsThePaper() {
        assertEquals(0.001, EtaSampler.eta(0.001, 0), 1e-12); // zero entropy: eta = epsilon
        assertEquals(Math.sqrt(0.01) * Math.exp(-3), EtaSampler.eta(0.01, 3), 1e-12);
        // p = .6 .3 .08 .02: H = 0.948 nats; eps = .2: eta = min(.2, sqrt(.2) e^-H = .173) = .173 -> keeps .6 and .3
        Candidates c = Candidates.fromLogits(new float[]{(float) Math.log(0.6), (float) Math.log(0.3), (float) Math.log(0.08), (float) Math.log(0.02)});
        new EtaSampler(0.2).apply(c);
        assertArrayEquals(new int[]{0, 1}, c.ids());
        // eps = .05: eta = min(.05, .087) = .05 -> keeps .6, .3 and .08
        Candidates d = Candidates.fromLogits(new float[]{(float) Math.log(0.6), (float) Math.log(0.3), (float) Math.log(0.08), (float) Math.log(0.02)});
        new EtaSampler(0.05).apply(d);
        assertArrayEquals(new int[]{0, 1, 2}, d.ids());
    }
}
