package io.gptlens.web.api;

import io.gptlens.core.plugin.NamedProvider;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.web.plugins.PluginManager;
import io.gptlens.web.security.AdminGuard;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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
 * "rejected" and the reason. Uploading and removing jars need the admin token and are refused
 * without one configured; switching and configuring need it when one is configured ({@link AdminGuard}).
 */
@Path("/api/plugins")
public class PluginsResource {

    private final PluginManager plugins;
    private final io.gptlens.web.config.GptLensConfig config;
    private final AdminGuard admin;

    public PluginsResource(PluginManager plugins, io.gptlens.web.config.GptLensConfig config, AdminGuard admin) {
        this.plugins = plugins;
        this.config = config;
        this.admin = admin;
    }

    private static String jarName(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._+-]{0,120}\\.jar")) {
            throw new ApiException(400, "A plugin needs a plain file name ending .jar, got '" + name + "'");
        }
        return name;
    }

    /** Uploads a plugin jar (raw bytes); answers with what it provides, or 422 with why it is not a plugin. */
    @jakarta.ws.rs.POST
    @jakarta.ws.rs.Consumes({"application/java-archive", "application/octet-stream"})
    @io.smallrye.common.annotation.Blocking
    public jakarta.ws.rs.core.Response upload(@jakarta.ws.rs.QueryParam("name") String name,
                                              @jakarta.ws.rs.HeaderParam("Authorization") String authorization, java.io.InputStream body)
            throws java.io.IOException {
        admin.checkStrict(AdminGuard.bearer(authorization), "Uploading a plugin");
        String file = jarName(name);
        java.nio.file.Path target = plugins.folder().resolve(file);
        if (java.nio.file.Files.exists(target)) {
            throw new ApiException(409, file + " is already in the plugins folder; remove it first");
        }
        java.nio.file.Files.createDirectories(plugins.folder());
        java.nio.file.Path part = plugins.folder().resolve("." + file + ".part");
        long n = 0;
        try (java.io.InputStream in = body; var out = java.nio.file.Files.newOutputStream(part)) {
            byte[] buf = new byte[1 << 16];
            for (int k; (k = in.read(buf)) > 0; ) {
                n += k;
                if (n > config.pluginMaxBytes()) {
                    throw new ApiException(413, "The jar is larger than the limit of " + config.pluginMaxBytes() + " bytes");
                }
                if (n == k && (k < 2 || buf[0] != 'P' || buf[1] != 'K')) {
                    throw new ApiException(422, "Not a jar (no zip header)");
                }
                out.write(buf, 0, k);
            }
        } catch (ApiException | java.io.IOException e) {
            java.nio.file.Files.deleteIfExists(part);
            throw e;
        }
        java.nio.file.Files.move(part, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        plugins.scan();
        var loaded = plugins.jar(target).orElseThrow();
        if (loaded.error() != null) {
            java.nio.file.Files.deleteIfExists(target);
            plugins.scan();
            throw new ApiException(422, file + " was rejected: " + loaded.error());
        }
        return jakarta.ws.rs.core.Response.status(201).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("jar", file, "providers", loaded.providers().stream().map(NamedProvider::name).toList())).build();
    }

    /** Removes a plugin jar from the folder (its providers leave at once). */
    @jakarta.ws.rs.DELETE
    @Path("{jar}")
    @io.smallrye.common.annotation.Blocking
    public jakarta.ws.rs.core.Response remove(@jakarta.ws.rs.PathParam("jar") String jar, @jakarta.ws.rs.HeaderParam("Authorization") String authorization)
            throws java.io.IOException {
        admin.checkStrict(AdminGuard.bearer(authorization), "Removing a plugin");
        java.nio.file.Path target = plugins.folder().resolve(jarName(jar));
        if (!java.nio.file.Files.deleteIfExists(target)) {
            throw new ApiException(404, "No " + jar + " in the plugins folder");
        }
        plugins.scan();
        return jakarta.ws.rs.core.Response.noContent().build();
    }

    /** Switches a plugin provider on or off. */
    @POST
    @Path("{name}/{action:enable|disable}")
    public Map<String, Object> enable(@jakarta.ws.rs.PathParam("name") String name, @jakarta.ws.rs.PathParam("action") String action,
                                      @jakarta.ws.rs.HeaderParam("Authorization") String authorization) {
        admin.check(AdminGuard.bearer(authorization), "Switching a plugin on or off");
        if (!plugins.setEnabled(name, action.equals("enable"))) {
            throw new ApiException(404, "No plugin provides '" + name + "' (built-in samplers cannot be switched off)");
        }
        return Map.of("name", name, "status", action.equals("enable") ? "active" : "disabled");
    }

    /** A sampler's parameters: type, range, its own default and the configured value. */
    @GET
    @Path("{name}/config")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> configuration(@jakarta.ws.rs.PathParam("name") String name) {
        SamplerProvider p = plugins.samplers().all().get(name);
        if (p == null) {
            throw noSampler(name);
        }
        Map<String, Object> configured = plugins.configuration(name);
        List<Map<String, Object>> params = new ArrayList<>();
        for (var s : io.gptlens.web.plugins.PluginManager.origin(p).params()) {
            Map<String, Object> m = SamplersResource.param(s); // the provider's own default
            m.put("value", configured.getOrDefault(s.name(), s.defaultValue()));
            m.put("configured", configured.containsKey(s.name()));
            params.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("params", params);
        return out;
    }

    private ApiException noSampler(String name) {
        return new ApiException(404, "No sampler called '" + name + "'; known: " + String.join(", ", plugins.samplers().all().keySet()));
    }

    /** Sets a sampler's parameter defaults: {@code {"param": value, ...}}; {@code {}} restores its own. */
    @jakarta.ws.rs.PUT
    @Path("{name}/config")
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> configure(@jakarta.ws.rs.PathParam("name") String name, Map<String, Object> values,
                                         @jakarta.ws.rs.HeaderParam("Authorization") String authorization) {
        admin.check(AdminGuard.bearer(authorization), "Configuring a sampler");
        if (values == null) {
            throw new ApiException(400, "A JSON object of parameter values is required, e.g. {\"a\": 0.3}; {} restores the defaults");
        }
        boolean known;
        try {
            known = plugins.configure(name, values);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
        if (!known) {
            throw noSampler(name);
        }
        return configuration(name);
    }

    /** Restores a sampler's own parameter defaults. */
    @jakarta.ws.rs.DELETE
    @Path("{name}/config")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> resetConfiguration(@jakarta.ws.rs.PathParam("name") String name,
                                                  @jakarta.ws.rs.HeaderParam("Authorization") String authorization) {
        return configure(name, Map.of(), authorization);
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
                boolean mine = p instanceof SamplerProvider
                        ? registered != null && io.gptlens.web.plugins.PluginManager.origin(registered) == p
                        : plugins.tokenizers().all().get(p.name()) == p;
                String failure = plugins.failures().get(p.name());
                String status = plugins.disabled().contains(p.name()) ? "disabled" : failure != null ? "failed" : mine ? "active" : "conflict";
                Map<String, Object> e = entry(p, status, j.jar().getFileName().toString());
                if (failure != null) {
                    e.put("error", failure);
                }
                out.add(e);
            }
        }
        // then the classpath: plugins shipped beside GPTLens first, GPTLens's own last
        List<Map<String, Object>> builtIn = new ArrayList<>();
        List<NamedProvider> classpath = new ArrayList<>(plugins.builtInSamplers().all().values());
        classpath.addAll(plugins.builtInTokenizers().all().values());
        for (NamedProvider p : classpath) {
            String source = sourceOf(p);
            (source.equals("built-in") ? builtIn : out).add(entry(p, "active", source));
        }
        out.addAll(builtIn);
        for (Map<String, Object> e : out) {
            if ("sampler".equals(e.get("kind"))) {
                Map<String, Object> configured = plugins.configuration(String.valueOf(e.get("name")));
                if (!configured.isEmpty()) {
                    e.put("settings", new java.util.TreeMap<>(configured));
                }
            }
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
            java.nio.file.Path path = java.nio.file.Path.of(loc.toURI());
            if (path.getFileName().toString().endsWith("classes") && path.getParent() != null && path.getParent().getParent() != null) {
                path = path.getParent().getParent(); // a module's target/classes in a source build: name the module
            }
            return "classpath: " + path.getFileName();
        } catch (RuntimeException | java.net.URISyntaxException e) {
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
