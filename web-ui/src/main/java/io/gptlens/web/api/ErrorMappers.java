package io.gptlens.web.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gptlens.core.sampling.SamplerException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/**
 * Every error leaves the server as JSON {@code {"error": {"message": ..., "type": ..., "code": status}}}
 * (OpenAI's shape): 4xx for what the client sent, 500 only for GPTLens's own faults.
 */
public class ErrorMappers {

    private static final System.Logger LOG = System.getLogger(ErrorMappers.class.getName());

    /** The response for a status and message. */
    public static Response error(int status, String message) {
        String type = status >= 500 ? "server_error" : status == 404 ? "not_found_error" : "invalid_request_error";
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", Map.of("message", message == null ? "Unknown error" : message, "type", type, "code", status)))
                .build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return error(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return error(400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unsupported(UnsupportedOperationException e) {
        return error(400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response sampler(SamplerException e) {
        return error(500, e.getMessage());
    }

    @ServerExceptionMapper
    public Response plugin(io.gptlens.web.plugins.PluginFault e) {
        return error(500, e.getMessage());
    }

    @ServerExceptionMapper
    public Response training(io.gptlens.web.training.TrainingException e) {
        return error(switch (e.kind()) {
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case INVALID -> 400;
        }, e.getMessage());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return error(400, "Malformed JSON: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Throwable c = e.getCause();
        String msg = c instanceof JsonProcessingException j ? "Malformed JSON: " + j.getOriginalMessage() : e.getMessage();
        return error(status, msg);
    }

    @ServerExceptionMapper
    public Response other(RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "Unexpected error", e);
        return error(500, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
}
