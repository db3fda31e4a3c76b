package io.gptlens.web.api;

import io.gptlens.core.model.ModelInfo;
import io.gptlens.llamacpp.LlamaLibrary;
import io.gptlens.web.config.GptLensConfig;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelFolders;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.security.AdminGuard;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Models: OpenAI's {@code GET /v1/models}, llama-server's {@code GET /props}, and GPTLens's
 * {@code /api/models} to load ({@code POST {"path": ...}}), inspect and unload ({@code DELETE}) models.
 * Loading and unloading need the admin token when one is configured ({@link AdminGuard}); a path is
 * confined to the models folders when the server listens beyond the loopback address ({@link ModelFolders}).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    private final ModelRegistry registry;
    private final GptLensConfig config;
    private final ModelFolders folders;
    private final AdminGuard admin;

    public ModelsResource(ModelRegistry registry, GptLensConfig config, ModelFolders folders, AdminGuard admin) {
        this.registry = registry;
        this.config = config;
        this.folders = folders;
        this.admin = admin;
    }

    /** Load request: a path on the server's file system. */
    public record LoadRequest(String path) {
    }

    @GET
    @Path("v1/models")
    public Map<String, Object> list() {
        List<Map<String, Object>> data = registry.all().stream().map(m -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", m.id());
            e.put("object", "model");
            e.put("created", m.loaded().getEpochSecond());
            e.put("owned_by", "gptlens");
            e.put("meta", meta(m.model().info()));
            return e;
        }).toList();
        return Map.of("object", "list", "data", data);
    }

    @GET
    @Path("api/models")
    public List<Map<String, Object>> details() {
        return registry.all().stream().map(ModelsResource::describe).toList();
    }

    @GET
    @Path("api/models/{id}")
    public Map<String, Object> detail(@PathParam("id") String id) {
        return describe(registry.resolve(id));
    }

    @POST
    @Path("api/models")
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response load(LoadRequest r, @HeaderParam("Authorization") String authorization) {
        admin.check(AdminGuard.bearer(authorization), "Loading a model");
        if (r == null || r.path() == null || r.path().isBlank()) {
            throw new ApiException(400, "'path' is required: the GGUF file to load");
        }
        LoadedModel m = registry.load(folders.confine(java.nio.file.Path.of(r.path())));
        return Response.status(201).entity(Map.of("id", m.id(), "model", describe(m))).build();
    }

    @DELETE
    @Path("api/models/{id}")
    @Blocking
    public Response unload(@PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
        admin.check(AdminGuard.bearer(authorization), "Unloading a model");
        if (!registry.unload(id)) {
            throw new ApiException(404, "Unknown model '" + id + "'");
        }
        return Response.noContent().build();
    }

    @GET
    @Path("props")
    public Map<String, Object> props() {
        Map<String, Object> p = new LinkedHashMap<>();
        var first = registry.all().stream().findFirst();
        p.put("model_path", first.map(m -> m.path().toString()).orElse(null));
        p.put("model_alias", first.map(LoadedModel::id).orElse(null));
        p.put("total_slots", config.maxConcurrent());
        Map<String, Object> gen = new LinkedHashMap<>();
        gen.put("n_ctx", first.map(m -> Math.min(config.contextLength(), Math.max(1, m.model().info().contextLength()))).orElse(config.contextLength()));
        gen.put("temperature", 1.0);
        gen.put("top_k", 0);
        gen.put("top_p", 1.0);
        gen.put("min_p", 0.0);
        gen.put("samplers", List.of("top-k", "top-p", "min-p", "temperature", "dist"));
        p.put("default_generation_settings", gen);
        p.put("models", registry.all().stream().map(LoadedModel::id).toList());
        p.put("build_info", "GPTLens with llama.cpp v0.5.0");
        try {
            p.put("system_info", LlamaLibrary.systemInfo());
        } catch (IllegalStateException e) {
            p.put("system_info", e.getMessage());
        }
        return p;
    }

    static Map<String, Object> meta(ModelInfo i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", i.architecture());
        m.put("n_vocab", i.vocabularySize());
        m.put("n_ctx_train", i.contextLength());
        m.put("n_embd", i.embeddingLength());
        m.put("n_layer", i.layers());
        m.put("n_head", i.heads());
        m.put("n_head_kv", i.headsKv());
        m.put("n_params", i.parameterCount());
        m.put("size", i.sizeBytes());
        m.put("vocab_only", i.vocabOnly());
        return m;
    }

    static Map<String, Object> describe(LoadedModel m) {
        ModelInfo i = m.model().info();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", m.id());
        d.put("path", m.path().toString());
        d.put("name", i.name());
        d.put("description", i.description());
        d.putAll(meta(i));
        d.put("tied_embeddings", !i.vocabOnly() && m.model().tiedEmbeddings());
        d.put("metadata", i.metadata());
        return d;
    }
}
