package io.gptlens.web.api;

import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.web.plugins.PluginCatalog;
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
    private final PluginCatalog catalog;
    private final AdminGuard admin;

    public PluginsResource(PluginManager plugins, PluginCatalog catalog, AdminGuard admin) {
        this.plugins = plugins;
        this.catalog = catalog;
        this.admin = admin;
    }

    /** Uploads a plugin jar (raw bytes); answers with what it provides, or 422 with why it is not a plugin. */
    @jakarta.ws.rs.POST
    @jakarta.ws.rs.Consumes({"application/java-archive", "application/octet-stream"})
    @io.smallrye.common.annotation.Blocking
    public jakarta.ws.rs.core.Response upload(@jakarta.ws.rs.QueryParam("name") String name,
                                              @jakarta.ws.rs.HeaderParam("Authorization") String authorization, java.io.InputStream body)
            throws java.io.IOException {
        admin.checkStrict(AdminGuard.bearer(authorization), "Uploading a plugin");
        PluginCatalog.Installed installed = catalog.install(name, body);
        return jakarta.ws.rs.core.Response.status(201).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("jar", installed.jar(), "providers", installed.providers())).build();
    }

    /** Removes a plugin jar from the folder (its providers leave at once). */
    @jakarta.ws.rs.DELETE
    @Path("{jar}")
    @io.smallrye.common.annotation.Blocking
    public jakarta.ws.rs.core.Response remove(@jakarta.ws.rs.PathParam("jar") String jar, @jakarta.ws.rs.HeaderParam("Authorization") String authorization)
            throws java.io.IOException {
        admin.checkStrict(AdminGuard.bearer(authorization), "Removing a plugin");
        catalog.remove(jar);
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
        for (PluginCatalog.Entry e : catalog.list()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", e.name());
            m.put("kind", e.kind());
            m.put("version", e.version());
            m.put("status", e.status().label());
            m.put("source", e.source());
            if (e.status() != PluginCatalog.Status.REJECTED) {
                m.put("description", e.description());
            }
            if (e.error() != null) {
                m.put("error", e.error());
            }
            if (!e.settings().isEmpty()) {
                m.put("settings", e.settings());
            }
            out.add(m);
        }
        return out;
    }
}
