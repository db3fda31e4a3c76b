package io.gptlens.web.plugins;

import io.gptlens.core.plugin.ParamSpec;
import io.gptlens.core.plugin.Params;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Sampler parameter defaults set on {@code /plugins}, by sampler name, kept in a properties file
 * ({@code sampler.parameter=value}) that is read on first use and rewritten atomically on every
 * change. Values are stored as given and checked against a provider's {@link ParamSpec}s when
 * used, so a file edited by hand or a plugin whose parameters changed cannot break anything.
 * Thread-safe.
 */
final class PluginSettings {

    private static final System.Logger LOG = System.getLogger(PluginSettings.class.getName());

    private final Supplier<Path> file;
    private final Map<String, Map<String, Object>> values = new ConcurrentHashMap<>();
    private boolean loaded;

    /** Settings kept in the file {@code file} names (asked when first needed). */
    PluginSettings(Supplier<Path> file) {
        this.file = file;
    }

    /** The values set for {@code sampler} (empty when none). */
    synchronized Map<String, Object> of(String sampler) {
        load();
        return Map.copyOf(values.getOrDefault(sampler, Map.of()));
    }

    /** Replaces the values of {@code sampler} (empty: none) and saves the file. */
    synchronized void set(String sampler, Map<String, Object> checked) {
        load();
        if (checked.isEmpty()) {
            values.remove(sampler);
        } else {
            values.put(sampler, new LinkedHashMap<>(checked));
        }
        save();
    }

    /**
     * {@code given} checked against {@code specs}: the given keys only, each coerced to its
     * declared type.
     *
     * @throws IllegalArgumentException naming a parameter that is unknown, mistyped or out of range
     */
    static Map<String, Object> check(String owner, List<ParamSpec> specs, Map<String, ?> given) {
        Map<String, Object> all = Params.of(owner, specs, given).asMap();
        Map<String, Object> kept = new LinkedHashMap<>();
        given.keySet().forEach(k -> kept.put(k, all.get(k)));
        return kept;
    }

    private void load() {
        if (loaded) {
            return;
        }
        loaded = true;
        Path f = file.get();
        if (!Files.isRegularFile(f)) {
            return;
        }
        Properties props = new Properties();
        try (var in = Files.newBufferedReader(f)) {
            props.load(in);
        } catch (IOException | IllegalArgumentException ex) {
            LOG.log(System.Logger.Level.WARNING, "Ignoring " + f + ": " + ex.getMessage());
            return;
        }
        for (String key : props.stringPropertyNames()) {
            int dot = key.lastIndexOf('.');
            if (dot > 0) {
                values.computeIfAbsent(key.substring(0, dot), k -> new LinkedHashMap<>()).put(key.substring(dot + 1), props.getProperty(key));
            }
        }
    }

    private void save() {
        Properties props = new Properties();
        values.forEach((name, vs) -> vs.forEach((k, v) -> props.setProperty(name + "." + k, String.valueOf(v))));
        Path f = file.get();
        try {
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            try (var out = Files.newBufferedWriter(tmp)) {
                props.store(out, "GPTLens sampler parameter defaults, set on /plugins (sampler.parameter=value)");
            }
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot save " + f + ": " + ex.getMessage(), ex);
        }
    }
}
