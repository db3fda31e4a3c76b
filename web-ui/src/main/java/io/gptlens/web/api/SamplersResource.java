package io.gptlens.web.api;

import io.gptlens.core.plugin.ParamSpec;
import io.gptlens.web.sampling.SamplerRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /api/samplers}: every registered sampler with its kind and typed parameters (what a form needs). */
@Path("/api/samplers")
public class SamplersResource {

    private final SamplerRegistry samplers;

    public SamplersResource(SamplerRegistry samplers) {
        this.samplers = samplers;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<Map<String, Object>> list() {
        return samplers.providers().all().values().stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("kind", p.kind() == io.gptlens.core.sampling.SamplerProvider.Kind.PICK ? "picker" : "sampler");
            m.put("description", p.description());
            m.put("version", p.version());
            m.put("params", p.params().stream().map(SamplersResource::param).toList());
            return m;
        }).toList();
    }

    /** A parameter as JSON: name, type, range for numbers, default, doc. */
    static Map<String, Object> param(ParamSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("type", s.type().name().toLowerCase(java.util.Locale.ROOT));
        if (s.type() == ParamSpec.Type.INT || s.type() == ParamSpec.Type.FLOAT) {
            m.put("min", s.type() == ParamSpec.Type.INT ? (Object) (long) s.min() : s.min());
            m.put("max", s.type() == ParamSpec.Type.INT ? (Object) (long) s.max() : s.max());
        }
        m.put("default", s.defaultValue());
        m.put("doc", s.doc());
        return m;
    }
}
