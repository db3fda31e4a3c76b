package io.gptlens.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.gptlens.core.model.Attribution;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.internals.InternalsService;
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
 * {@code POST /api/attribution {"model", "prompt", "token"}}: direct logit attribution of the token
 * (an id, or a text that is one token) after the prompt, the numbers the attribution picture shows:
 * {@code {"logit", "embedding", "layers": [{"attention", "mlp"}], "remainder"}}.
 */
@Path("/api/attribution")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AttributionResource {


    /** The request: the prompt as text, and the token as an id or as its text. */
    public record Request(String model, String prompt, JsonNode token) {
    }

    private final ModelRegistry registry;
    private final InternalsService internals;

    public AttributionResource(ModelRegistry registry, InternalsService internals) {
        this.registry = registry;
        this.internals = internals;
    }

    @POST
    @Blocking
    public Map<String, Object> attribute(Request r) {
        if (r == null || r.prompt() == null || r.token() == null) {
            throw new ApiException(400, "Give 'prompt' and 'token', e.g. {\"prompt\": \"Once upon a time\", \"token\": \",\"}");
        }
        LoadedModel m = registry.resolve(r.model());
        Tokenizer t = m.model().tokenizer();
        int token = RequestFields.token(t, r.token(), "token");
        Attribution a = internals.attribution(m, t.encode(r.prompt(), true, true), token);
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int l = 0; l < a.attention().length; l++) {
            layers.add(Map.of("attention", a.attention()[l], "mlp", a.mlp()[l]));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.id());
        out.put("token", Map.of("id", token, "piece", t.piece(token, true).text()));
        out.put("logit", a.logit());
        out.put("embedding", a.embedding());
        out.put("layers", layers);
        out.put("remainder", a.remainder());
        return out;
    }
}
