package io.gptlens.web.plugins;

import io.gptlens.core.DataFolder;
import io.gptlens.core.plugin.NamedProvider;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.tokenizer.TokenizerProvider;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Plugins: jars in the plugins folder ({@code <data>/plugins}) that provide {@link SamplerProvider}s
 * and/or {@link TokenizerProvider}s through {@code META-INF/services}. The folder is scanned every
 * second: a jar dropped in is loaded in a class loader of its own and its providers join the
 * built-in ones at once; a removed jar's providers leave. A jar that provides nothing is rejected
 * with the reason. A name already taken (built-in first) is reported as a conflict, never
 * shadowed. Thread-safe.
 */
@ApplicationScoped
public class PluginManager {

    private static final System.Logger LOG = System.getLogger(PluginManager.class.getName());

    /** One jar of the folder. */
    public record PluginJar(Path jar, long size, long modified, URLClassLoader loader, List<NamedProvider> providers, String error) {
    }

    private final Map<String, String> failures = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<String> disabled = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Sampler parameter defaults set on /plugins, kept in the plugins folder. */
    private final PluginSettings settings = new PluginSettings(() -> folder().resolve("settings.properties"));
    private final NamedProviders<SamplerProvider> builtInSamplers =
            NamedProviders.load(SamplerProvider.class, PluginManager.class.getClassLoader());
    private final Map<Path, PluginJar> jars = new LinkedHashMap<>();
    private volatile NamedProviders<SamplerProvider> samplers = builtInSamplers;
    private final io.gptlens.web.metrics.GptLensMetrics metrics;

    public PluginManager(io.gptlens.web.metrics.GptLensMetrics metrics, io.gptlens.web.config.GptLensConfig config) {
        this.metrics = metrics;
        this.budgets = new PluginCalls.Budgets(config.plugins().budgetMs(), config.plugins().loadBudgetMs());
        this.folder = config.plugins().dir().filter(d -> !d.isBlank()).map(Path::of).orElseGet(() -> DataFolder.resolve("plugins"));
    }

    private final Path folder;
    private final PluginCalls.Budgets budgets;
    private final NamedProviders<TokenizerProvider> builtInTokenizers =
            NamedProviders.load(TokenizerProvider.class, PluginManager.class.getClassLoader());
    private volatile NamedProviders<TokenizerProvider> tokenizers = builtInTokenizers;
    private ScheduledExecutorService scanner;

    /** Names of plugin providers switched off. */
    public java.util.Set<String> disabled() {
        return java.util.Set.copyOf(disabled);
    }

    /**
     * Switches a plugin provider on or off; off, it is not offered to chains (built-in providers cannot be switched off).
     *
     * @return false if no plugin provides {@code name}
     */
    public synchronized boolean setEnabled(String name, boolean enabled) {
        boolean known = jars.values().stream().anyMatch(j -> j.providers().stream().anyMatch(p -> p.name().equals(name)));
        if (!known) {
            return false;
        }
        if (enabled) {
            disabled.remove(name);
        } else {
            disabled.add(name);
        }
        rebuild();
        return true;
    }

    /**
     * Calls {@code listener} (on the scanning or requesting thread) whenever the set of samplers or
     * their configuration changes; returns what removes it.
     */
    public Runnable addChangeListener(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The provider a registered one wraps, configured defaults taken off (a plugin's stays guarded). */
    public static SamplerProvider origin(SamplerProvider p) {
        return p instanceof ConfiguredSamplerProvider c ? c.delegate() : p;
    }

    /** A provider's name as declared, checked: letters, digits, '.', '_' and '-', at most 64. */
    static String checkName(String name, Object provider) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException(provider.getClass().getName() + " declares the name " + (name == null ? "null" : "'" + name + "'")
                    + "; a name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return name;
    }

    /** The configured parameter values of sampler {@code name} (empty when none). */
    public Map<String, Object> configuration(String name) {
        return settings.of(name);
    }

    /**
     * Sets the parameter defaults of sampler {@code name} (a plugin's or a built-in one) to
     * {@code values}; an empty map restores the provider's own defaults. Saved in the plugins
     * folder and applied to every chain built afterwards.
     *
     * @return false if no sampler is called {@code name}
     * @throws IllegalArgumentException naming a parameter that is unknown, mistyped or out of range
     */
    public synchronized boolean configure(String name, Map<String, ?> values) {
        SamplerProvider p = samplers.all().get(name);
        if (p == null) {
            return false;
        }
        settings.set(name, PluginSettings.check(name, origin(p).params(), values));
        rebuild();
        return true;
    }

    /** The last fault of a plugin provider, by name (cleared when its jar is reloaded). */
    public Map<String, String> failures() {
        return Map.copyOf(failures);
    }

    void fault(String provider, String message) {
        failures.put(provider, message);
        metrics.pluginFault(provider);
        LOG.log(System.Logger.Level.WARNING, "Plugin '" + provider + "' failed: " + message);
    }

    /** The plugins folder. */
    public Path folder() {
        return folder;
    }

    void start(@Observes StartupEvent e) {
        rebuild(); // with the configured defaults
        scan();
        scanner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plugin-scanner");
            t.setDaemon(true);
            return t;
        });
        scanner.scheduleWithFixedDelay(() -> {
            try {
                scan();
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "Scanning plugins failed: " + ex.getMessage());
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent e) {
        if (scanner != null) {
            scanner.shutdownNow();
        }
    }

    /** Every sampler: built-in (classpath) first, then those of the plugins in the folder. */
    public NamedProviders<SamplerProvider> samplers() {
        return samplers;
    }

    /** Every tokenizer: built-in (classpath) first, then those of the plugins in the folder. */
    public NamedProviders<TokenizerProvider> tokenizers() {
        return tokenizers;
    }

    /** Built-in tokenizers (classpath). */
    public NamedProviders<TokenizerProvider> builtInTokenizers() {
        return builtInTokenizers;
    }

    /** The jars of the plugins folder, as last scanned. */
    public synchronized List<PluginJar> jars() {
        return List.copyOf(jars.values());
    }

    /** Built-in samplers. */
    public NamedProviders<SamplerProvider> builtInSamplers() {
        return builtInSamplers;
    }

    /** Loads new and changed jars, unloads removed ones, and rebuilds the registry if anything changed. */
    public synchronized void scan() {
        Path dir = folder();
        List<Path> present = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted().forEach(present::add);
            }
        } catch (IOException ex) {
            LOG.log(System.Logger.Level.WARNING, "Cannot read the plugins folder " + dir + ": " + ex.getMessage());
            return;
        }
        boolean changed = false;
        for (Path gone : new ArrayList<>(jars.keySet())) {
            if (!present.contains(gone)) {
                close(jars.remove(gone));
                LOG.log(System.Logger.Level.INFO, "Plugin removed: " + gone.getFileName());
                changed = true;
            }
        }
        for (Path p : present) {
            long size;
            long modified;
            try {
                size = Files.size(p);
                modified = Files.getLastModifiedTime(p).toMillis();
            } catch (IOException ex) {
                continue;
            }
            PluginJar old = jars.get(p);
            if (old != null && old.size() == size && old.modified() == modified) {
                continue;
            }
            if (old != null) {
                close(old);
            }
            PluginJar loaded = load(p, size, modified);
            loaded.providers().forEach(x -> failures.remove(x.name()));
            jars.put(p, loaded);
            changed = true;
        }
        if (changed) {
            rebuild();
        }
    }

    /** The registry: built-in first, then the enabled providers of every jar. */
    private void rebuild() {
        List<SamplerProvider> all = new ArrayList<>(builtInSamplers.all().values());
        for (PluginJar j : jars.values()) {
            j.providers().stream().filter(x -> x instanceof SamplerProvider && !disabled.contains(x.name()))
                    .map(x -> (SamplerProvider) x).forEach(all::add);
        }
        List<TokenizerProvider> toks = new ArrayList<>(builtInTokenizers.all().values());
        for (PluginJar j : jars.values()) {
            j.providers().stream().filter(x -> x instanceof TokenizerProvider && !disabled.contains(x.name()))
                    .map(x -> (TokenizerProvider) x).forEach(toks::add);
        }
        tokenizers = NamedProviders.of("TokenizerProvider", toks);
        List<SamplerProvider> configured = new ArrayList<>();
        for (SamplerProvider p : all) {
            configured.add(withSettings(p));
        }
        samplers = NamedProviders.of("SamplerProvider", configured);
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "A plugin change listener failed: " + ex);
            }
        }
    }

    /** {@code p} with its configured defaults, or {@code p} when there are none or they no longer fit (reported, not fatal). */
    private SamplerProvider withSettings(SamplerProvider p) {
        Map<String, Object> values = settings.of(p.name());
        if (values.isEmpty()) {
            return p;
        }
        try {
            return new ConfiguredSamplerProvider(p, PluginSettings.check(p.name(), p.params(), values));
        } catch (IllegalArgumentException ex) {
            LOG.log(System.Logger.Level.WARNING, "Configured defaults of '" + p.name() + "' no longer fit, using its own: " + ex.getMessage());
            return p;
        }
    }

    /** The jar at {@code path} as last scanned, if any. */
    public synchronized java.util.Optional<PluginJar> jar(Path path) {
        return java.util.Optional.ofNullable(jars.get(path));
    }

    /**
     * Loads a jar in a class loader of its own and wraps its providers in guards. Instantiating
     * the providers and reading their declarations run under the load budget, so a plugin whose
     * constructor hangs or throws is rejected instead of stopping the scanner.
     */
    private PluginJar load(Path jar, long size, long modified) {
        String jarName = jar.getFileName().toString();
        URLClassLoader loader = null;
        try {
            URLClassLoader own = new URLClassLoader("plugin " + jarName, new java.net.URL[]{jar.toUri().toURL()}, PluginManager.class.getClassLoader());
            loader = own;
            List<NamedProvider> raw = PluginCalls.call(() -> {
                List<NamedProvider> found = new ArrayList<>();
                for (Class<? extends NamedProvider> type : List.of(SamplerProvider.class, TokenizerProvider.class)) {
                    for (NamedProvider p : ServiceLoader.load(type, own)) {
                        if (p.getClass().getClassLoader() == own) { // this jar's own, not the application's
                            found.add(p);
                        }
                    }
                }
                return found;
            }, budgets.loadMs(), (what, cause) -> new IllegalArgumentException("loading its providers " + what, cause));
            if (raw.isEmpty()) {
                own.close();
                return new PluginJar(jar, size, modified, null, List.of(),
                        "not a GPTLens plugin: no SamplerProvider or TokenizerProvider in META-INF/services");
            }
            List<NamedProvider> guarded = new ArrayList<>();
            for (NamedProvider p : raw) {
                guarded.add(p instanceof SamplerProvider sp ? new GuardedSamplerProvider(sp, jarName, this::fault, budgets)
                        : new GuardedTokenizerProvider((TokenizerProvider) p, jarName, this::fault, budgets));
            }
            LOG.log(System.Logger.Level.INFO, "Plugin loaded: " + jarName + " " + guarded.stream().map(NamedProvider::name).toList());
            return new PluginJar(jar, size, modified, own, List.copyOf(guarded), null);
        } catch (IOException | RuntimeException | LinkageError ex) {
            if (loader != null) {
                try {
                    loader.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
            Throwable shown = ex.getCause() instanceof ServiceConfigurationError || ex.getCause() instanceof LinkageError ? ex.getCause() : ex;
            Throwable root = shown;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String why = (shown instanceof IllegalArgumentException ? shown.getMessage() : shown.toString())
                    + (root != shown ? "; cause: " + root : "");
            return new PluginJar(jar, size, modified, null, List.of(), "rejected: " + why);
        }
    }

    private static void close(PluginJar j) {
        if (j != null && j.loader() != null) {
            try {
                j.loader().close();
            } catch (IOException ex) {
                LOG.log(System.Logger.Level.WARNING, "Closing " + j.jar() + ": " + ex.getMessage());
            }
        }
    }
}
