package io.gptlens.web.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A server-sent-event response ({@code data: <json>\n\n} per event), as OpenAI's and
 * llama-server's streaming endpoints send it. A failure once the headers are out becomes the last
 * event, {@code data: {"error": {...}}}, as the same request unstreamed would have answered it; a
 * client that went away ends the stream quietly.
 */
final class EventStream {

    private static final System.Logger LOG = System.getLogger(EventStream.class.getName());

    private final OutputStream out;
    private final ObjectMapper json;
    private final java.util.function.BooleanSupplier closed;
    private volatile boolean gone;

    private EventStream(OutputStream out, ObjectMapper json, java.util.function.BooleanSupplier closed) {
        this.out = out;
        this.json = json;
        this.closed = closed;
    }

    /**
     * A streamed response whose events {@code body} sends; {@code done} (e.g. {@code [DONE]}) is
     * sent after them when not null; {@code request} tells when its connection is closed.
     */
    static Response of(ObjectMapper json, io.vertx.core.http.HttpServerRequest request, String done, Consumer<EventStream> body) {
        StreamingOutput s = out -> {
            EventStream events = new EventStream(out, json, () -> request != null && request.response().closed());
            try {
                body.accept(events);
                if (done != null) {
                    events.raw("data: " + done + "\n\n");
                }
            } catch (ClientGone e) {
                LOG.log(System.Logger.Level.DEBUG, "A streaming client went away: " + e.getCause());
            } catch (RuntimeException e) {
                try {
                    events.send(ErrorMappers.of(e).getEntity());
                } catch (ClientGone g) {
                    LOG.log(System.Logger.Level.DEBUG, "A streaming client went away before its error event: " + e);
                }
            }
        };
        return Response.ok(s).type("text/event-stream").header("Cache-Control", "no-cache").build();
    }

    /** True once the connection is closed or a write failed: nobody reads the stream any more. */
    boolean gone() {
        return gone || closed.getAsBoolean();
    }

    /** Sends one event. */
    void send(Object event) {
        try {
            raw("data: " + json.writeValueAsString(event) + "\n\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write an event as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private void raw(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | UncheckedIOException e) {
            gone = true;
            throw new ClientGone(e);
        }
    }

    /** Writing failed: the client went away. Not an error of the server's. */
    static final class ClientGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientGone(Exception cause) {
            super(cause);
        }
    }
}
