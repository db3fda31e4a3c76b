package io.gptlens.plugins.tailfree;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.sampling.SamplerContract;
import io.gptlens.core.sampling.SamplerProvider;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class TailFreeSamplerTest extends SamplerContract {

    protected SamplerProvider provider() { return new TailFreeSampler.Provider(); }
    protected Map<String, ?> activeParams() { return Map.of("z", 0.5); }
    protected Map<String, ?> noOpParams() { return Map.of("z", 1.0); }

    @Test
    void cutsWhereTheCurveFlattens() {
        // p = .5 .2 .1 .1 .1: second differences .2 .1 0, normalised .667 .333 0;
        // z = .5: the first term already exceeds .5, so only the top token stays
        Candidates c = Candidates.fromLogits(new float[]{(float) Math.log(0.5), (float) Math.log(0.2), (float) Math.log(0.1),
                (float) Math.log(0.1), (float) Math.log(0.1)});
        new TailFreeSampler(0.5).apply(c);
        assertArrayEquals(new int[]{0}, c.ids());
        Candidates d = Candidates.fromLogits(new float[]{(float) Math.log(0.5), (float) Math.log(0.2), (float) Math.log(0.1),
                (float) Math.log(0.1), (float) Math.log(0.1)});
        new TailFreeSampler(0.9).apply(d); // .667 <= .9, 1.0 > .9 -> keep 2
        assertArrayEquals(new int[]{0, 1}, d.ids());
    }
}
