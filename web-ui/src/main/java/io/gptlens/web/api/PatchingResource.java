package io.gptlens.web.api;

import com.fasterxml.jackson.databind.JsonNode;
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
 * {@code POST /api/patching {"model", "clean", "corrupted", "target"}}: causal tracing by activation
 * patching, the numbers the heatmap shows: per layer and position, the fraction of the clean
 * target probability that copying the clean residual there brings back to the corrupted run.
 */
@Path("/api/patching")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class PatchingResource {

    /** A causal trace to run: two prompts of the same token count and the token (id or text) whose probability is traced. */
    public record PatchRequest(String model, String clean, String corrupted, JsonNode target) {
    }

    private final ModelRegistry registry;
    private final InternalsService internals;

    public PatchingResource(ModelRegistry registry, InternalsService internals) {
        this.registry = registry;
        this.internals = internals;
    }

    @POST
    @Blocking
    public Map<String, Object> patch(PatchRequest r) {
        if (r == null || r.clean() == null || r.corrupted() == null || r.target() == null) {
            throw new ApiException(400, "Give 'clean', 'corrupted' (as many tokens) and 'target', e.g. {\"clean\": \"Lily went home. Lily\", "
                    + "\"corrupted\": \"Tom went home. Lily\", \"target\": \" was\"}");
        }
        LoadedModel m = registry.resolve(r.model());
        Tokenizer t = m.model().tokenizer();
        int target = RequestFields.token(t, r.target(), "target");
        int[] clean = t.encode(r.clean(), true, true);
        int[] corrupted = t.encode(r.corrupted(), true, true);
        if (clean.length != corrupted.length) {
            throw new ApiException(400, "'clean' is " + clean.length + " tokens and 'corrupted' " + corrupted.length + ": patching needs as many");
        }
        io.gptlens.core.model.CausalTrace trace = internals.patching(m, clean, corrupted, target);
        List<Map<String, Object>> positions = new ArrayList<>();
        for (int i = 0; i < clean.length; i++) {
            positions.add(Map.of("position", i, "clean", t.piece(clean[i], true).text(), "corrupted", t.piece(corrupted[i], true).text()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.id());
        out.put("target", Map.of("id", target, "piece", t.piece(target, true).text()));
        out.put("layers", trace.recovered().length);
        out.put("positions", positions);
        out.put("p_clean", trace.clean());
        out.put("p_corrupted", trace.corrupted());
        out.put("recovered", java.util.Arrays.stream(trace.recovered()).map(row -> java.util.Arrays.stream(row)
                .mapToObj(x -> Double.isNaN(x) ? null : (Object) x).toList()).toList());
        return out;
    }
}
