package io.gptlens.web.plugins;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * Runs a call into plugin code with a time budget, on a daemon thread of its own, so that a plugin
 * that hangs costs its caller the budget and no more. Every way the call can go wrong becomes the
 * caller's exception, made by {@code fault(what, cause)}.
 */
final class PluginCalls {

    /**
     * The time a plugin gets.
     *
     * @param callMs per call into it (a sampler step, an encode)
     * @param loadMs for loading its providers, reading what they declare, building a tokenizer
     */
    record Budgets(long callMs, long loadMs) {
        Budgets {
            if (callMs < 1 || loadMs < 1) {
                throw new IllegalArgumentException("plugin time budgets must be at least 1 ms, not " + callMs + " and " + loadMs);
            }
        }
    }

    private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "plugin-call");
        t.setDaemon(true);
        return t;
    });

    private PluginCalls() {
    }

    static <T> T call(Callable<T> c, long budgetMs, BiFunction<String, Throwable, RuntimeException> fault) {
        Future<T> f = CALLS.submit(c);
        try {
            return f.get(budgetMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw fault.apply("took longer than its budget of " + budgetMs + " ms per call", null);
        } catch (ExecutionException e) {
            throw fault.apply("threw " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fault.apply("was interrupted", e);
        }
    }
}
