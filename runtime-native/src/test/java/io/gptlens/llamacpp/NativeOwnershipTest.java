package io.gptlens.llamacpp;

import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.generation.StopReason;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.sampling.GreedyPicker;
import io.gptlens.core.sampling.SamplerChain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every native handle has one owner on every path, failures included: the live-handle counts
 * (incremented when llama.cpp makes a handle, decremented when GPTLens frees it) return to where
 * they were after each failure injected into a constructor or a close.
 */
class NativeOwnershipTest {

    private NativeHandles.Live before;

    @BeforeEach
    void baseline() {
        before = NativeHandles.live();
    }

    @AfterEach
    void noFaults() {
        NativeHandles.faults = step -> {
        };
    }

    private static Consumer<String> failAt(String name) {
        return step -> {
            if (step.equals(name)) {
                throw new IllegalStateException("injected failure at " + name);
            }
        };
    }

    private static Model stories() throws Exception {
        return new LlamaBackend().load(TestFiles.stories(), LoadOptions.defaults(), null);
    }

    private static SessionOptions small() {
        return SessionOptions.defaults().withContextLength(128);
    }

    @Test
    void aSessionWhoseConstructorFailsAfterTheContextExistsFreesContextAndThreadpool() throws Exception {
        try (Model m = stories()) {
            NativeHandles.Live loaded = NativeHandles.live();
            for (String step : List.of("session.context", "session.threadpool", "session.ready")) {
                NativeHandles.faults = failAt(step);
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.newSession(small()));
                assertTrue(e.getMessage().contains(step), e.getMessage());
                assertEquals(loaded, NativeHandles.live(), "after a failure at " + step);
            }
            NativeHandles.faults = step -> {
            };
            try (Session s = m.newSession(small())) {
                assertEquals(loaded.contexts() + 1, NativeHandles.live().contexts());
            }
        }
        assertEquals(before, NativeHandles.live());
    }

    @Test
    void aModelWhoseConstructorFailsFreesTheLlamaModel() {
        NativeHandles.faults = failAt("model.constructor");
        IllegalStateException e = assertThrows(IllegalStateException.class, NativeOwnershipTest::stories);
        assertTrue(e.getMessage().contains("model.constructor"), e.getMessage());
        assertEquals(before, NativeHandles.live());
    }

    @Test
    void closeFreesEverythingEvenIfOneStepThrows() throws Exception {
        Model m = stories();
        Session a = m.newSession(small());
        Session b = m.newSession(small());
        assertEquals(before.contexts() + 2, NativeHandles.live().contexts());
        NativeHandles.faults = failAt("session.detach");
        IllegalStateException e = assertThrows(IllegalStateException.class, m::close);
        assertTrue(e.getMessage().contains("session.detach"), e.getMessage());
        assertEquals(before, NativeHandles.live(), "both contexts, their threadpools and the model are freed");
        assertThrows(IllegalStateException.class, () -> a.evaluate(io.gptlens.core.model.Batch.of(new int[] {1}, 0, 0)));
        b.close(); // closing again is a no-op
        m.close();
    }

    /**
     * The interleaving that used to leave a session alive: close() takes its list of sessions
     * while a new session is made but not yet listed; the new session must close itself.
     */
    @Test
    void closingAModelWhileASessionIsBeingOpenedLeavesNoSessionBehind() throws Exception {
        Model m = stories();
        CompletableFuture<Void> closing = new CompletableFuture<>();
        NativeHandles.faults = step -> {
            if (step.equals("model.sessionMade") && !closing.isDone()) {
                Thread t = Thread.ofPlatform().start(() -> {
                    m.close();
                    closing.complete(null);
                });
                // wait until close() has taken its list and waits for this call to end
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.newSession(small()));
        assertTrue(e.getMessage().contains("being closed"), e.getMessage());
        closing.get(10, TimeUnit.SECONDS);
        assertEquals(before, NativeHandles.live(), "no session outlives its model");
    }

    @Test
    void aCancelAfterAGenerationEndedDoesNotAbortTheNextOne() throws Exception {
        try (Model m = stories(); Session s = m.newSession(small());
             SamplerChain chain = new SamplerChain(List.of(), new GreedyPicker())) {
            Generator first = new Generator(s, m.tokenizer());
            var done = first.generate(GenerationRequest.of("Once upon a time", 4), chain, e -> {
            });
            assertEquals(StopReason.MAX_TOKENS, done.reason());
            first.cancel(); // too late: the generation has ended
            s.cancel();     // a stop button pressed when nothing runs
            var next = new Generator(s, m.tokenizer()).generate(GenerationRequest.of("Once upon a time", 4), chain, e -> {
            });
            assertEquals(StopReason.MAX_TOKENS, next.reason());
            assertEquals(4, next.tokens().length);
            // and a cancel during a generation still stops it
            Generator third = new Generator(s, m.tokenizer());
            var cancelled = third.generate(GenerationRequest.of("Once upon a time", 50), chain, ev -> {
                if (ev instanceof io.gptlens.core.generation.GenerationEvent.TokenEvent t) {
                    third.cancel();
                }
            });
            assertEquals(StopReason.CANCELLED, cancelled.reason());
            assertTrue(cancelled.tokens().length < 50);
        }
    }
}
