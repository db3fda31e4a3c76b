package io.gptlens.web.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.gptlens.core.sampling.SamplerException;
import io.gptlens.web.models.ModelException;
import io.gptlens.web.plugins.PluginFault;
import io.gptlens.web.security.AccessDenied;
import io.gptlens.web.training.TrainingException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;

/**
 * Every error leaves the server as JSON {@code {"error": {"message": ..., "type": ..., "code": status}}}
 * (OpenAI's shape): 4xx for what the client sent, 500 only for GPTLens's own faults. {@link #of}
 * decides the status of every exception, for the mappers and for the last event of a stream alike.
 */
public class ErrorMappers {

    private static final System.Logger LOG = System.getLogger(ErrorMappers.class.getName());

    /** The JSON body for a status and message: {@code {"error": {"message", "type", "code"}}}. */
    public static Map<String, Object> body(int status, String message) {
        String type = status >= 500 ? "server_error" : status == 404 ? "not_found_error" : "invalid_request_error";
        return Map.of("error", Map.of("message", message == null ? "Unknown error" : message, "type", type, "code", status));
    }

    /** The response for a status and message. */
    public static Response error(int status, String message) {
        Response.ResponseBuilder r = Response.status(status).type(MediaType.APPLICATION_JSON).entity(body(status, message));
        if (status == 401) {
            r.header("WWW-Authenticate", "Bearer");
        }
        return r.build();
    }

    /**
     * The response an exception becomes: its own status for {@link ApiException}, 400 for a bad
     * argument, 401/403 for a refused admin action, 500 for a sampler or plugin fault (the message
     * names the plugin); anything else is unexpected, logged, and 500.
     */
    public static Response of(RuntimeException e) {
        return switch (e) {
            case ApiException a -> error(a.status(), a.getMessage());
            case IllegalArgumentException a -> error(400, a.getMessage());
            case UnsupportedOperationException u -> error(400, u.getMessage());
            case AccessDenied d -> error(d.reason() == AccessDenied.Reason.DISABLED ? 403 : 401, d.reason() == AccessDenied.Reason.DISABLED
                    ? d.getMessage() : d.getMessage() + "; send it as Authorization: Bearer <admin token>");
            case io.gptlens.web.completion.CompletionException c -> error(switch (c.kind()) {
                case INVALID, UNSUPPORTED -> 400;
                case NOT_FOUND -> 404;
            }, c.getMessage());
            case ModelException m -> error(switch (m.kind()) {
                case INVALID, UNSUPPORTED -> 400;
                case REFUSED -> 403;
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case UNREADABLE -> 422;
                case BUSY -> 503;
            }, m.getMessage());
            case io.gptlens.web.plugins.PluginException p -> error(switch (p.kind()) {
                case INVALID -> 400;
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case TOO_LARGE -> 413;
                case NOT_A_PLUGIN -> 422;
            }, p.getMessage());
            case SamplerException s -> error(500, s.getMessage());
            case PluginFault f -> error(500, f.getMessage());
            case TrainingException t -> error(switch (t.kind()) {
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case INVALID -> 400;
            }, t.getMessage());
            case WebApplicationException w -> error(w.getResponse().getStatus(),
                    w.getCause() instanceof JsonProcessingException j ? "Malformed JSON: " + j.getOriginalMessage() : w.getMessage());
            default -> {
                LOG.log(System.Logger.Level.ERROR, "Unexpected error", e);
                yield error(500, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        };
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return error(400, "Malformed JSON: " + e.getOriginalMessage());
    }

    /** JAX-RS's own errors; a wrong method on a known path says which methods the path takes. */
    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        if (e.getResponse().getStatus() == 405) {
            String allow = e.getResponse().getHeaderString("Allow");
            Response.ResponseBuilder r = Response.fromResponse(error(405, request.method() + " is not allowed on " + request.path()
                    + (allow == null ? "" : "; it takes " + allow)));
            if (allow != null) {
                r.header("Allow", allow);
            }
            return r.build();
        }
        return of(e);
    }

    /** Every other exception, the domain ones included: {@link #of} decides its status. */
    @ServerExceptionMapper
    public Response other(RuntimeException e) {
        return of(e);
    }
}
