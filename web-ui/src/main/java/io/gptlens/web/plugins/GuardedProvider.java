package io.gptlens.web.plugins;

import io.gptlens.core.plugin.NamedProvider;
import io.gptlens.core.plugin.ParamSpec;

import java.util.List;
import java.util.concurrent.Callable;
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

    /**
     * @throws IllegalArgumentException if the provider's declarations fail, hang or make no sense
     */
    GuardedProvider(P delegate, String jar, BiConsumer<String, String> onFault) {
        this.delegate = delegate;
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
        return PluginCalls.call(c, PluginCalls.LOAD_BUDGET_MS,
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

    /** Runs plugin code under the per-call budget; any failure becomes {@link #fault}. */
    final <T> T call(Callable<T> c) {
        return PluginCalls.call(c, this::fault);
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
