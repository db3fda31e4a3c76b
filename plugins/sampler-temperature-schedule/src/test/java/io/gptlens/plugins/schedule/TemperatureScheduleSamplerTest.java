package io.gptlens.plugins.schedule;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.sampling.SamplerContract;
import io.gptlens.core.sampling.SamplerProvider;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TemperatureScheduleSamplerTest extends SamplerContract {

    protected SamplerProvider provider() { return new TemperatureScheduleSampler.Provider(); }
    protected Map<String, ?> activeParams() { return Map.of("t_start", 2.0, "t_end", 0.5, "decay", 0.8); }
    protected Map<String, ?> noOpParams() { return Map.of("t_start", 1.0, "t_end", 1.0); }

    @Test
    void coolsDownTokenByToken() {
        TemperatureScheduleSampler s = new TemperatureScheduleSampler(2, 0.5, 0.5);
        assertEquals(2.0, s.temperature(0));
        assertEquals(1.25, s.temperature(1));
        Candidates c = Candidates.fromLogits(new float[]{2, 4});
        s.apply(c);
        assertArrayEquals(new float[]{1, 2}, c.logits()); // T = 2
        s.accept(1);
        Candidates d = Candidates.fromLogits(new float[]{2.5f, 5});
        s.apply(d);
        assertArrayEquals(new float[]{2, 4}, d.logits()); // T = 1.25
        s.reset();
        assertEquals(2.0, s.temperature(0));
    }
}
