package io.gptlens.web.api;

import io.gptlens.core.steering.Contrastive;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.security.AdminGuard;
import io.gptlens.web.steering.SteeringService;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Steering directions per model: {@code POST /api/steering/directions} makes one from W_E
 * arithmetic ({@code "from": "man", "to": "woman"}) or from contrastive prompts
 * ({@code "positive": [...], "negative": [...], "method": "mean" | "pca"}), {@code GET} lists a
 * model's, {@code DELETE /api/steering/directions/{id}?model=} removes one. Making and deleting
 * need the admin token when one is configured. A direction is applied in {@code /v1/completions}
 * and {@code /v1/chat/completions} with {@code "steering": [{"direction": id, "strength": x, "layers": [first, last]}]}.
 */
@Path("/api/steering/directions")
@Produces(MediaType.APPLICATION_JSON)
public class SteeringResource {

    /**
     * A direction to make: {@code from}/{@code to} for W_E arithmetic, or {@code positive}/{@code negative}
     * prompts with a {@code method} ("mean", the default, or "pca"); {@code layers} = [first, last] (default: all).
     */
    public record CreateRequest(String model, String name, String from, String to, List<String> positive, List<String> negative, String method,
                                List<Integer> layers) {
    }

    private final SteeringService steering;
    private final ModelRegistry registry;
    private final AdminGuard admin;

    public SteeringResource(SteeringService steering, ModelRegistry registry, AdminGuard admin) {
        this.steering = steering;
        this.registry = registry;
        this.admin = admin;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Blocking
    public Response create(CreateRequest r, @HeaderParam("Authorization") String authorization) {
        admin.check(AdminGuard.bearer(authorization), "Making a steering direction");
        if (r == null) {
            throw new ApiException(400, "A JSON body is required, e.g. {\"name\": \"female\", \"from\": \"man\", \"to\": \"woman\"}");
        }
        LoadedModel m = registry.resolve(r.model());
        Integer first = null;
        Integer last = null;
        if (r.layers() != null) {
            if (r.layers().size() != 2 || r.layers().contains(null)) {
                throw new ApiException(400, "'layers' is [first, last], got " + r.layers());
            }
            first = r.layers().get(0);
            last = r.layers().get(1);
        }
        boolean arithmetic = r.from() != null || r.to() != null;
        boolean prompts = r.positive() != null || r.negative() != null;
        if (arithmetic == prompts) {
            throw new ApiException(400, "Give either 'from' and 'to' (W_E arithmetic) or 'positive' and 'negative' prompts");
        }
        SteeringService.Saved saved;
        if (arithmetic) {
            if (r.from() == null || r.to() == null) {
                throw new ApiException(400, "W_E arithmetic needs both 'from' and 'to'");
            }
            saved = steering.fromEmbeddings(m, r.name(), r.from(), r.to(), first, last);
        } else {
            Contrastive.Method method;
            try {
                method = r.method() == null ? Contrastive.Method.MEAN : Contrastive.Method.valueOf(r.method().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "'method' is \"mean\" or \"pca\", got \"" + r.method() + "\"");
            }
            saved = steering.fromPrompts(m, r.name(), r.positive(), r.negative(), method, first, last);
        }
        return Response.status(201).entity(json(saved)).build();
    }

    /** A control-vector GGUF as the body ({@code application/octet-stream}), saved as a direction of {@code model}. */
    @POST
    @Path("file")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Blocking
    public Response upload(byte[] body, @QueryParam("model") String model, @QueryParam("name") String name,
                           @HeaderParam("Authorization") String authorization) {
        admin.check(AdminGuard.bearer(authorization), "Importing a steering direction");
        SteeringService.Saved saved = steering.fromFile(registry.resolve(model), name, body);
        return Response.status(201).entity(json(saved)).build();
    }

    @GET
    public Map<String, Object> list(@QueryParam("model") String model) {
        LoadedModel m = registry.resolve(model);
        return Map.of("model", m.id(), "data", steering.list(m).stream().map(SteeringResource::json).toList());
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id, @QueryParam("model") String model, @HeaderParam("Authorization") String authorization) {
        admin.check(AdminGuard.bearer(authorization), "Deleting a steering direction");
        steering.delete(registry.resolve(model), id);
        return Response.noContent().build();
    }

    static Map<String, Object> json(SteeringService.Saved s) {
        return Map.of("id", s.id(), "name", s.name(), "model", s.model(), "layers", List.of(s.first(), s.last()), "norm", s.norm());
    }
}
