package io.gptlens.web.api;

import io.gptlens.llamacpp.NativeHandles;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/**
 * llama-server's {@code GET /health}: 200 {@code {"status":"ok"}} once the server is up (models
 * given at start are loaded before it listens), with the native handles GPTLens holds (models,
 * contexts, threadpools), so a soak test can show they stay flat.
 */
@Path("/health")
public class HealthResource {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> health() {
        NativeHandles.Live live = NativeHandles.live();
        return Map.of("status", "ok", "native", Map.of("models", live.models(), "contexts", live.contexts(), "threadpools", live.threadpools()));
    }
}
