package io.gptlens.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.gptlens.web.completion.Completion;
import io.gptlens.web.completion.CompletionRequest;
import io.gptlens.web.steering.SteeringComparison;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/steering/compare}: the numbers of the side-by-side view. The prompt is generated
 * twice with the same seed, without and with the steering, and the next-token distribution after the
 * prompt is compared: the tokens that gained and lost the most probability.
 */
@Path("/api/steering/compare")
@Produces(MediaType.APPLICATION_JSON)
public class SteeringCompareResource {

    /** {@code {"model", "prompt", "steering": [...], "max_tokens", "seed", "temperature", "top"}}. */
    public record CompareRequest(String model, String prompt, List<RequestFields.SteeringSpec> steering,
                                 @JsonProperty("max_tokens") Integer maxTokens, Long seed, Double temperature, Integer top) {
    }

    private final SteeringComparison comparison;

    public SteeringCompareResource(SteeringComparison comparison) {
        this.comparison = comparison;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Map<String, Object> compare(CompareRequest r) {
        if (r == null || r.prompt() == null) {
            throw new ApiException(400, "A JSON body with a prompt is required, e.g. {\"model\": \"m\", \"prompt\": \"Once\", \"steering\": "
                    + "[{\"direction\": \"dir-…\", \"strength\": 4}]}");
        }
        CompletionRequest request = SteeringComparison.request(r.model(), r.prompt(), RequestFields.steering(r.steering()), r.temperature(), r.seed(),
                r.maxTokens() == null ? 16 : r.maxTokens());
        SteeringComparison.Comparison c = comparison.compare(request, r.top() == null ? 10 : r.top());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", c.plain().model());
        out.put("seed", c.plain().seed());
        out.put("plain", side(c.plain()));
        out.put("steered", side(c.steered()));
        out.put("gained", c.gained().stream().map(SteeringCompareResource::shift).toList());
        out.put("lost", c.lost().stream().map(SteeringCompareResource::shift).toList());
        out.put("total_variation", c.totalVariation());
        return out;
    }

    private static Map<String, Object> side(Completion c) {
        return Map.of("content", c.text(), "tokens", c.tokens());
    }

    private static Map<String, Object> shift(SteeringComparison.Shift s) {
        return Map.of("id", s.token(), "piece", s.piece(), "before", s.before(), "after", s.after());
    }
}
