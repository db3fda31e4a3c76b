package io.gptlens.llamacpp;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Counts the native handles GPTLens holds ({@code llama_model}, {@code llama_context},
 * {@code ggml_threadpool}), each counted when created and uncounted when freed, so tests and the
 * soak benchmark can show that every path, failures included, frees what it made. Also the
 * test hook that makes a named step of a constructor fail. Thread-safe.
 */
public final class NativeHandles {

    static final AtomicInteger MODELS = new AtomicInteger();
    static final AtomicInteger CONTEXTS = new AtomicInteger();
    static final AtomicInteger THREADPOOLS = new AtomicInteger();

    /** Test hook: called with the name of each step that may fail; it may throw to simulate the failure. */
    static volatile Consumer<String> faults = step -> {
    };

    private NativeHandles() {
    }

    /** Live handles now. */
    public record Live(int models, int contexts, int threadpools) {
    }

    /** The handles alive now. */
    public static Live live() {
        return new Live(MODELS.get(), CONTEXTS.get(), THREADPOOLS.get());
    }

    static void step(String name) {
        faults.accept(name);
    }
}
