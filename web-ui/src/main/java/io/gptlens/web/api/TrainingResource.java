package io.gptlens.web.api;

import io.gptlens.web.security.AdminGuard;
import io.gptlens.web.training.TrainingService;
import io.gptlens.web.training.TrainingStatus;
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

/**
 * Pre-training over REST: start a run ({@code POST /api/training}), list the runs (the built-in one
 * included), watch one, cancel it ({@code DELETE}), resume it; upload a text to train on. Starting,
 * cancelling, resuming and uploading need the admin token when one is configured ({@link AdminGuard}).
 */
@Path("/api/training")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingResource {

    private final TrainingService training;
    private final AdminGuard admin;

    public TrainingResource(TrainingService training, AdminGuard admin) {
        this.training = training;
        this.admin = admin;
    }

    /**
     * A run to start.
     *
     * @param corpus "builtin" (default) or the id of an uploaded corpus
     * @param preset "tiny", "default" (default) or "large"
     * @param steps  optimizer steps (default: the preset's, bounded by its time budget)
     * @param seed   seed of the initial weights and the window order (default 1)
     */
    public record StartRequest(String corpus, String preset, Long steps, Long seed) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(StartRequest req, @HeaderParam("Authorization") String authorization) {
        admin.check(AdminGuard.bearer(authorization), "Starting a training run");
        StartRequest r = req == null ? new StartRequest(null, null, null, null) : req;
        if (r.steps() != null && r.steps() < 1) {
            throw new ApiException(400, "steps must be at least 1, got " + r.steps());
        }
        TrainingStatus s = training.start(r.corpus(), r.preset(), r.steps(), r.seed());
        return Response.status(201).entity(s).build();
    }

    @GET
    public List<TrainingStatus> list() {
        return training.list();
    }

    @GET
    @Path("{id}")
    public TrainingStatus get(@PathParam("id") String id) {
        return training.get(id);
    }

    @DELETE
    @Path("{id}")
    public TrainingStatus cancel(@PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
        admin.check(AdminGuard.bearer(authorization), "Cancelling a training run");
        return training.cancel(id);
    }

    @POST
    @Path("{id}/resume")
    public TrainingStatus resume(@PathParam("id") String id, @HeaderParam("Authorization") String authorization) {
        admin.check(AdminGuard.bearer(authorization), "Resuming a training run");
        return training.resume(id);
    }

    /** Uploads a UTF-8 text (the request body) as a corpus; {@code ?name=} names it. Returns its id for {@code POST /api/training}. */
    @POST
    @Path("corpora")
    @Consumes({MediaType.TEXT_PLAIN, MediaType.APPLICATION_OCTET_STREAM})
    public Response upload(@QueryParam("name") String name, byte[] body, @HeaderParam("Authorization") String authorization) {
        admin.check(AdminGuard.bearer(authorization), "Uploading a corpus");
        return Response.status(201).entity(training.uploadCorpus(name, body == null ? new byte[0] : body)).build();
    }

    @GET
    @Path("corpora")
    public List<TrainingService.CorpusInfo> corpora() {
        return training.corpora();
    }
}
