package io.gptlens.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.model.AttentionPattern;
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
 * {@code POST /api/internals}: the numbers the "Inside the model" views show, to fetch and check.
 * The body names a prompt ({@code prompt} text, or {@code tokens} ids), optionally a {@code layer}
 * (and {@code head}; all heads when absent) with a query range {@code from}/{@code to}, and
 * optionally {@code lens_position} (-1 for the last) with {@code lens_top}. The answer holds the
 * tokens, every layer's residual norm per token, the attention rows asked for, the logit lens's
 * top tokens per layer, and how long capturing and the lens took and how many bytes they kept.
 */
@Path("/api/internals")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class InternalsResource {

    private final ModelRegistry registry;
    private final InternalsService internals;

    public InternalsResource(ModelRegistry registry, InternalsService internals) {
        this.registry = registry;
        this.internals = internals;
    }

    /** The request. */
    public record InternalsRequest(String model, String prompt, int[] tokens, Integer layer, Integer head, Integer from, Integer to,
                                   @JsonProperty("lens_position") Integer lensPosition, @JsonProperty("lens_top") Integer lensTop) {
    }

    @POST
    @Blocking
    public Map<String, Object> inspect(InternalsRequest r) {
        if (r == null) {
            throw new ApiException(400, "A JSON body is required, e.g. {\"prompt\": \"Once upon a time\", \"layer\": 0, \"lens_position\": -1}");
        }
        LoadedModel m = registry.resolve(r.model());
        Tokenizer t = m.model().tokenizer();
        int[] tokens;
        if (r.tokens() != null) {
            tokens = r.tokens();
        } else if (r.prompt() != null) {
            tokens = t.encode(r.prompt(), true, true);
        } else {
            throw new ApiException(400, "Give 'prompt' (text) or 'tokens' (ids)");
        }
        var res = internals.inspect(m, tokens, r.layer(), r.head(), r.from() == null ? 0 : r.from(), r.to(), r.lensPosition(),
                r.lensTop() == null ? 5 : r.lensTop());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", m.id());
        List<Map<String, Object>> toks = new ArrayList<>();
        for (int id : res.tokens()) {
            toks.add(Map.of("id", id, "piece", t.piece(id, true).text()));
        }
        out.put("tokens", toks);
        out.put("layers", res.layers());
        out.put("heads", res.heads());
        // NaN (the last layer's rows llama.cpp does not compute) is not JSON: null
        out.put("residual_norms", res.residualNorms().stream().map(layer -> {
            List<Float> l = new ArrayList<>(layer.length);
            for (float v : layer) {
                l.add(Float.isNaN(v) ? null : v);
            }
            return l;
        }).toList());
        if (res.attention() != null) {
            var a = res.attention();
            Map<String, Object> att = new LinkedHashMap<>();
            att.put("layer", r.layer());
            att.put("head", r.head());
            att.put("from", a.getFirst().queryFrom());
            att.put("to", a.getFirst().queryTo());
            att.put("weights", r.head() != null ? a.getFirst().weights() : a.stream().map(AttentionPattern::weights).toList());
            out.put("attention", att);
        }
        if (res.lens() != null) {
            Map<String, Object> lens = new LinkedHashMap<>();
            lens.put("position", res.lensPosition());
            List<List<Map<String, Object>>> layers = new ArrayList<>();
            for (List<TopN.Entry> layer : res.lens()) {
                layers.add(layer.stream().map(e -> {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("id", e.id());
                    x.put("piece", t.piece(e.id(), true).text());
                    x.put("logit", e.logit());
                    x.put("p", e.p());
                    return x;
                }).toList());
            }
            lens.put("layers", layers);
            out.put("logit_lens", lens);
        }
        out.put("timings", Map.of("capture_ms", res.captureMillis(), "lens_ms", res.lensMillis()));
        out.put("captured_bytes", res.capturedBytes());
        return out;
    }
}
