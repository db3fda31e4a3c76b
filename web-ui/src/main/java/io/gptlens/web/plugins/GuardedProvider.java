package io.gptlens.web.plugins;

import io.gptlens.core.plugin.NamedProvider;
import io.gptlens.core.plugin.ParamSpec;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * What the guards around a plugin's providers share: the provider's declarations (name,
 * description, version, parameters), read once under the load budget so that nothing later calls
 * into the plugin just to show or list it; and {@link #call}, which runs plugin code under the
 * per-call budget and turns every way it can fail into a fault that names the plugin and its jar
 * and marks the plugin failed.
 *
 * @param <P> the kind of provider guarded
 */
abstract class GuardedProvider<P extends NamedProvider> implements NamedProvider {

    private final P delegate;
    private final String jar;
    private final BiConsumer<String, String> onFault;
    private final String name;
    private final String description;
    private final String version;
    private final List<ParamSpec> params;
    private final PluginCalls.Budgets budgets;

    /**
     * @throws IllegalArgumentException if the provider's declarations fail, hang or make no sense
     */
    GuardedProvider(P delegate, String jar, BiConsumer<String, String> onFault, PluginCalls.Budgets budgets) {
        this.delegate = delegate;
        this.budgets = budgets;
        this.jar = jar;
        this.onFault = onFault;
        record Declared(String name, String description, String version, List<ParamSpec> params) {
        }
        Declared d = declared(() -> new Declared(delegate.name(), delegate.description(), delegate.version(),
                List.copyOf(delegate.params())));
        this.name = PluginManager.checkName(d.name(), delegate);
        this.description = d.description() == null ? "" : d.description();
        this.version = d.version() == null ? "0" : d.version();
        this.params = d.params();
    }

    /** Reads a declaration of the plugin under the load budget. */
    final <T> T declared(Callable<T> c) {
        return PluginCalls.call(c, budgets.loadMs(),
                (what, cause) -> new IllegalArgumentException(delegate.getClass().getName() + " " + what, cause));
    }

    /** The plugin's own provider. */
    public final P delegate() {
        return delegate;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final String version() {
        return version;
    }

    @Override
    public final List<ParamSpec> params() {
        return params;
    }

    /** Calls into the plugin still running, the ones that ran past their budget included. */
    private final AtomicInteger running = new AtomicInteger();
    /** Set when a call ran past its budget; cleared when no call of this provider runs any more. */
    private volatile boolean overran;

    /**
     * Runs plugin code under the per-call budget; any failure becomes {@link #fault}. While a call
     * that ran past its budget has not returned (a plugin that ignores the interrupt), further
     * calls are refused at once, so a hung plugin holds one worker thread, not one per request.
     */
    final <T> T call(Callable<T> c) {
        return call(c, budgets.callMs());
    }

    /** The time this plugin gets. */
    final PluginCalls.Budgets budgets() {
        return budgets;
    }

    /** Like {@link #call(Callable)} with another budget (reading a whole vocabulary may take longer than a per-token call). */
    final <T> T call(Callable<T> c, long budgetMs) {
        if (overran && running.get() > 0) {
            throw fault("is still running a call that exceeded its budget; calls are refused until it returns", null);
        }
        running.incrementAndGet();
        AtomicBoolean started = new AtomicBoolean();
        AtomicBoolean settled = new AtomicBoolean();
        Runnable settle = () -> {
            if (settled.compareAndSet(false, true) && running.decrementAndGet() == 0) {
                overran = false;
            }
        };
        try {
            return PluginCalls.call(() -> {
                started.set(true);
                try {
                    return c.call();
                } finally {
                    settle.run();
                }
            }, budgetMs, (what, cause) -> {
                if (cause == null && what.startsWith("took longer")) {
                    if (started.get()) {
                        overran = true;
                    } else {
                        settle.run(); // cancelled before it began: it never will
                    }
                }
                return fault(what, cause);
            });
        } catch (RejectedExecutionException e) {
            settle.run();
            throw fault("could not be started: " + e.getMessage(), e);
        }
    }

    /** Records that the plugin failed ({@code what}: "threw ...", "produced ...") and returns the exception to throw. */
    final RuntimeException fault(String what, Throwable cause) {
        String msg = "(plugin " + jar + ") " + what;
        onFault.accept(name, msg);
        return exception(msg, cause);
    }

    /** The exception a fault becomes for callers of this kind of provider. */
    abstract RuntimeException exception(String message, Throwable cause);
}
