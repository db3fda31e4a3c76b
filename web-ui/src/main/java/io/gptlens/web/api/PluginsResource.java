package io.gptlens.web.api;

import io.gptlens.core.plugin.NamedProvider;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.web.plugins.PluginManager;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/plugins}: every provider from the plugins folder ({@code source}: its jar) and
 * the built-in ones ({@code source}: "built-in"), with kind, version and status ("active", or
 * "conflict" when a name was already taken); a jar that is not a plugin appears with status
 * "rejected" and the reason.
 */
@Path("/api/plugins")
public class PluginsResource {

    private final PluginManager plugins;

    public PluginsResource(PluginManager plugins) {
        this.plugins = plugins;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        var active = plugins.samplers().all();
        for (var j : plugins.jars()) {
            if (j.error() != null) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", j.jar().getFileName().toString());
                m.put("kind", "jar");
                m.put("version", "");
                m.put("status", "rejected");
                m.put("source", j.jar().getFileName().toString());
                m.put("error", j.error());
                out.add(m);
            }
            for (NamedProvider p : j.providers()) {
                var registered = active.get(p.name());
                boolean mine = !(p instanceof SamplerProvider)
                        || (registered instanceof io.gptlens.web.plugins.GuardedSamplerProvider g && g.delegate() == p);
                String failure = plugins.failures().get(p.name());
                Map<String, Object> e = entry(p, failure != null ? "failed" : mine ? "active" : "conflict", j.jar().getFileName().toString());
                if (failure != null) {
                    e.put("error", failure);
                }
                out.add(e);
            }
        }
        for (SamplerProvider p : plugins.builtInSamplers().all().values()) {
            out.add(entry(p, "active", sourceOf(p)));
        }
        return out;
    }

    /** "built-in" for GPTLens's own providers, else the jar on the classpath that provides it. */
    static String sourceOf(NamedProvider p) {
        String pkg = p.getClass().getPackageName();
        if (pkg.startsWith("io.gptlens.core") || pkg.startsWith("io.gptlens.llamacpp")) {
            return "built-in";
        }
        try {
            var loc = p.getClass().getProtectionDomain().getCodeSource().getLocation();
            String path = loc.getPath();
            String name = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            return "classpath: " + name.substring(name.lastIndexOf('/') + 1);
        } catch (RuntimeException e) {
            return "classpath";
        }
    }

    private static Map<String, Object> entry(NamedProvider p, String status, String source) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.put("kind", p instanceof SamplerProvider ? "sampler" : "tokenizer");
        m.put("version", p.version());
        m.put("status", status);
        m.put("source", source);
        m.put("description", p.description());
        return m;
    }
}
