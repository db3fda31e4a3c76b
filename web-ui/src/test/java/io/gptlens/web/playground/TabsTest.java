package io.gptlens.web.playground;

import io.gptlens.core.sampling.SamplerChains;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two tabs generate at once, each in its own context; closing one stops its generation and frees it. */
@QuarkusTest
class TabsTest {

    @Inject
    PlaygroundService service;

    @Test
    void twoTabsRunConcurrentlyAndClosingOneStopsIt() throws Exception {
        var model = service.models().resolve("stories260K");
        PlaygroundSession a = service.open(model);
        PlaygroundSession b = service.open(model);
        int[] prompt = a.tokenize("Once upon a time");
        AtomicInteger aSteps = new AtomicInteger();
        AtomicInteger bStepsWhileARuns = new AtomicInteger();
        // tab a is slow to consume its tokens (2 ms each), so it is surely still running while b works
        var fa = a.generate(prompt, SamplerChains.standard(1, 0, 1, 0, 1), 1, 480, r -> {
            aSteps.set(r.steps().size());
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, new int[0]);
        var fb = b.generate(prompt, SamplerChains.standard(0, 0, 1, 0, 1), 2, 60, r -> {
            if (!fa.isDone()) {
                bStepsWhileARuns.set(r.steps().size());
            }
        }, new int[0]);
        Run rb = fb.get(60, TimeUnit.SECONDS);
        assertEquals(Run.Ending.MAX_TOKENS, rb.ending());
        assertTrue(bStepsWhileARuns.get() > 0, "tab b made progress while tab a was generating");
        assertTrue(rb.tokens().length == 60);
        a.close(); // the tab went away
        Run ra = fa.get(60, TimeUnit.SECONDS);
        assertTrue(ra.ending() == Run.Ending.STOPPED || ra.ending() == Run.Ending.MAX_TOKENS, ra.endingText());
        assertTrue(a.isClosed());
        assertThrows(IllegalStateException.class, () -> a.generate(prompt, SamplerChains.standard(0, 0, 1, 0, 1), 1, 5, r -> { }, new int[0]));
        b.close();
    }
}
