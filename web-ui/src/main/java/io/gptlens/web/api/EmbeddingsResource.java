package io.gptlens.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.gptlens.core.embedding.Vectors;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's {@code POST /v1/embeddings}: {@code {"input": "text" | ["text", ...], "model"}} →
 * one L2-normalised, pooled sentence embedding per input. Without {@code model}, the first loaded
 * embedding model (e.g. the built-in {@code all-minilm-l6-v2}) answers.
 */
@Path("/v1/embeddings")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class EmbeddingsResource {

    static final int MAX_INPUTS = 256;

    private final ModelRegistry models;

    public EmbeddingsResource(ModelRegistry models) {
        this.models = models;
    }

    /** The request body. */
    public record EmbeddingsRequest(JsonNode input, String model, @com.fasterxml.jackson.annotation.JsonProperty("encoding_format") String encodingFormat) {
    }

    @POST
    @Blocking
    public Map<String, Object> embed(EmbeddingsRequest r) {
        if (r == null || r.input() == null || r.input().isNull()) {
            throw new ApiException(400, "'input' is required: a string or a list of strings");
        }
        List<String> inputs = new ArrayList<>();
        if (r.input().isTextual()) {
            inputs.add(r.input().asText());
        } else if (r.input().isArray()) {
            for (JsonNode n : r.input()) {
                if (!n.isTextual()) {
                    throw new ApiException(400, "'input' must be a string or a list of strings");
                }
                inputs.add(n.asText());
            }
        } else {
            throw new ApiException(400, "'input' must be a string or a list of strings");
        }
        String format = r.encodingFormat() == null ? "float" : r.encodingFormat();
        if (!format.equals("float") && !format.equals("base64")) {
            throw new ApiException(400, "encoding_format must be \"float\" or \"base64\", got '" + format + "'");
        }
        if (inputs.isEmpty() || inputs.size() > MAX_INPUTS) {
            throw new ApiException(400, "Give 1 to " + MAX_INPUTS + " inputs, got " + inputs.size());
        }
        LoadedModel m = r.model() == null || r.model().isBlank() ? models.all().stream()
                .filter(x -> x.model().kind() == io.gptlens.core.model.Model.Kind.EMBEDDER).findFirst()
                .orElseThrow(() -> new ApiException(400, "No embedding model is loaded; name one with 'model'")) : models.resolve(r.model());
        if (m.model().kind() != io.gptlens.core.model.Model.Kind.EMBEDDER) {
            throw new ApiException(400, "Model '" + m.id() + "' is not an embedding model (it does not pool sentence embeddings)");
        }
        int ctx = Math.max(16, m.model().info().contextLength());
        List<Map<String, Object>> data = new ArrayList<>();
        int tokens = 0;
        try {
            m.slots().acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "Interrupted");
        }
        try (Session s = m.model().newSession(new SessionOptions(ctx, ctx, 1, 0, false, true))) {
            for (int i = 0; i < inputs.size(); i++) {
                int[] ids = m.model().tokenizer().encode(inputs.get(i), true, false);
                if (ids.length > ctx) {
                    throw new ApiException(400, "Input " + i + " has " + ids.length + " tokens; the model takes at most " + ctx);
                }
                tokens += ids.length;
                s.removeTokens(0, -1, -1);
                s.evaluate(Batch.allOutputs(ids, 0, 0));
                float[] v = Vectors.normalize(s.sequenceEmbedding(0));
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("object", "embedding");
                e.put("index", i);
                e.put("embedding", format.equals("base64") ? base64(v) : v);
                data.add(e);
            }
        } finally {
            m.slots().release();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "list");
        out.put("data", data);
        out.put("model", m.id());
        out.put("usage", Map.of("prompt_tokens", tokens, "total_tokens", tokens));
        return out;
    }

    /** OpenAI's {@code encoding_format: "base64"}: the floats as little-endian float32 bytes (what the official SDKs ask for). */
    static String base64(float[] v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return java.util.Base64.getEncoder().encodeToString(b.array());
    }
}
