package io.gptlens.web.plugins;

import io.gptlens.core.plugin.NamedProvider;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.web.config.GptLensConfig;
import io.gptlens.web.files.Incoming;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the plugins page and {@code /api/plugins} list and do: every provider with its status and
 * source, installing a jar (checked, size-limited, refused and removed again when it is no
 * plugin) and removing one. Who may do it is the caller's check; this only says what happened,
 * or throws {@link PluginException}.
 */
@ApplicationScoped
public class PluginCatalog {

    /** A provider's state in the listing. */
    public enum Status {
        /** Registered under its name. */
        ACTIVE,
        /** Switched off by an admin. */
        DISABLED,
        /** Its last call failed (the error says how). */
        FAILED,
        /** Its name was already taken by another provider. */
        CONFLICT,
        /** A jar in the folder that is no plugin (the error says why). */
        REJECTED;

        /** The word the API and the page show: "active", "disabled", … */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One row: a provider, or a rejected jar.
     *
     * @param kind     "sampler", "tokenizer" or "jar"
     * @param source   the jar's file name, "classpath: …" or "built-in"
     * @param error    null when there is none
     * @param settings a sampler's configured parameter defaults (empty when none)
     */
    public record Entry(String name, String kind, String version, Status status, String source, String description, String error,
                        Map<String, Object> settings) {
    }

    /** A jar installed: its file name and the providers it brought. */
    public record Installed(String jar, List<String> providers) {
    }

    private final PluginManager plugins;
    private final GptLensConfig config;

    public PluginCatalog(PluginManager plugins, GptLensConfig config) {
        this.plugins = plugins;
        this.config = config;
    }

    /** The plugins folder's providers (rejected jars among them), then the classpath's, GPTLens's own last. */
    public List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        var active = plugins.samplers().all();
        for (var j : plugins.jars()) {
            String file = j.jar().getFileName().toString();
            if (j.error() != null) {
                out.add(new Entry(file, "jar", "", Status.REJECTED, file, "", j.error(), Map.of()));
            }
            for (NamedProvider p : j.providers()) {
                var registered = active.get(p.name());
                boolean mine = p instanceof SamplerProvider
                        ? registered != null && PluginManager.origin(registered) == p
                        : plugins.tokenizers().all().get(p.name()) == p;
                String failure = plugins.failures().get(p.name());
                Status status = plugins.disabled().contains(p.name()) ? Status.DISABLED : failure != null ? Status.FAILED
                        : mine ? Status.ACTIVE : Status.CONFLICT;
                out.add(entry(p, status, file, failure));
            }
        }
        List<Entry> builtIn = new ArrayList<>();
        List<NamedProvider> classpath = new ArrayList<>(plugins.builtInSamplers().all().values());
        classpath.addAll(plugins.builtInTokenizers().all().values());
        for (NamedProvider p : classpath) {
            String source = sourceOf(p);
            (source.equals("built-in") ? builtIn : out).add(entry(p, Status.ACTIVE, source, null));
        }
        out.addAll(builtIn);
        return out;
    }

    private Entry entry(NamedProvider p, Status status, String source, String error) {
        boolean sampler = p instanceof SamplerProvider;
        Map<String, Object> settings = sampler ? new TreeMap<>(plugins.configuration(p.name())) : Map.of();
        return new Entry(p.name(), sampler ? "sampler" : "tokenizer", p.version(), status, source, p.description(), error, settings);
    }

    /** "built-in" for GPTLens's own providers, else the jar on the classpath that provides it. */
    static String sourceOf(NamedProvider p) {
        String pkg = p.getClass().getPackageName();
        if (pkg.startsWith("io.gptlens.core") || pkg.startsWith("io.gptlens.llamacpp")) {
            return "built-in";
        }
        try {
            Path path = Path.of(p.getClass().getProtectionDomain().getCodeSource().getLocation().toURI());
            if (path.getFileName().toString().endsWith("classes") && path.getParent() != null && path.getParent().getParent() != null) {
                path = path.getParent().getParent(); // a module's target/classes in a source build: name the module
            }
            return "classpath: " + path.getFileName();
        } catch (RuntimeException | java.net.URISyntaxException e) {
            return "classpath";
        }
    }

    /**
     * Copies a jar into the plugins folder and loads it.
     *
     * @param name the jar's plain file name
     * @throws PluginException INVALID for a bad name, CONFLICT when the file is there already,
     *                         TOO_LARGE past the configured limit, NOT_A_PLUGIN for no zip or a jar the manager rejects (it is removed again)
     */
    public Installed install(String name, InputStream body) throws IOException {
        String file = jarName(name);
        Path target = plugins.folder().resolve(file);
        if (Files.exists(target)) {
            throw new PluginException(PluginException.Kind.CONFLICT, file + " is already in the plugins folder; remove it first");
        }
        try {
            Incoming.store(body, target, config.pluginMaxBytes(), "PK", "The jar is larger than the limit of " + config.pluginMaxBytes() + " bytes",
                    "Not a jar (no zip header)");
        } catch (Incoming.Refused r) {
            throw new PluginException(r.tooLarge() ? PluginException.Kind.TOO_LARGE : PluginException.Kind.NOT_A_PLUGIN, r.getMessage());
        }
        plugins.scan();
        var loaded = plugins.jar(target).orElseThrow();
        if (loaded.error() != null) {
            Files.deleteIfExists(target);
            plugins.scan();
            throw new PluginException(PluginException.Kind.NOT_A_PLUGIN, file + " was rejected: " + loaded.error());
        }
        return new Installed(file, loaded.providers().stream().map(NamedProvider::name).toList());
    }

    /**
     * Removes a jar from the plugins folder; its providers leave at once.
     *
     * @throws PluginException INVALID for a bad name, NOT_FOUND when there is no such jar
     */
    public void remove(String jar) throws IOException {
        Path target = plugins.folder().resolve(jarName(jar));
        if (!Files.deleteIfExists(target)) {
            throw new PluginException(PluginException.Kind.NOT_FOUND, "No " + jar + " in the plugins folder");
        }
        plugins.scan();
    }

    private static String jarName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._+-]{0,120}\\.jar")) {
            throw new PluginException(PluginException.Kind.INVALID, "A plugin needs a plain file name ending .jar, got '" + name + "'");
        }
        return name;
    }
}
