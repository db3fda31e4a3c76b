package io.gptlens.web.playground;

import io.gptlens.core.sampling.SamplerChains;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.steering.SteeringService;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A playground run records the steering it ran under: replayed after the steering was turned off
 * it gives its own tokens again, and a new run then gives the unsteered ones (greedy, stories260K).
 */
@QuarkusTest
class SteeredRunsTest {

    @Inject
    PlaygroundService playground;

    @Inject
    ModelRegistry registry;

    @Inject
    SteeringService steering;

    @Test
    void aReplayRunsUnderItsOwnSteering() throws Exception {
        LoadedModel m = registry.resolve("stories260K");
        int last = m.model().info().layers() - 1;
        SteeringService.Saved d = steering.fromEmbeddings(m, "replay test", " Lily", " Tom", last, last);
        try (PlaygroundSession s = playground.open(m)) {
            int[] prompt = s.tokenize("Once upon a time");
            List<StageSpec> greedy = SamplerChains.standard(0, 0, 1, 0, 1);
            Run plain = s.generate(prompt, greedy, 1, 12, r -> { }, new int[0]).get(60, TimeUnit.SECONDS);
            s.steer(steering.combine(m, List.of(new SteeringService.Applied(d.id(), 6.0, null, null)))).get(60, TimeUnit.SECONDS);
            Run steered = s.generate(prompt, greedy, 1, 12, r -> { }, new int[0]).get(60, TimeUnit.SECONDS);
            assertTrue(steered.record().steered());
            assertFalse(java.util.Arrays.equals(plain.tokens(), steered.tokens()), "strength 6 on the last layer changes the greedy text");
            s.steer(null).get(60, TimeUnit.SECONDS);
            assertArrayEquals(steered.tokens(), s.replay(steered, r -> { }).get(60, TimeUnit.SECONDS).tokens(), "the replay is steered as its run was");
            assertArrayEquals(plain.tokens(), s.generate(prompt, greedy, 1, 12, r -> { }, new int[0]).get(60, TimeUnit.SECONDS).tokens(),
                    "and the page's steering (none) is back for the next run");
        } finally {
            steering.delete(m, d.id());
        }
    }
}
