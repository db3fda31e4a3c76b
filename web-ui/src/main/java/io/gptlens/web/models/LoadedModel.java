package io.gptlens.web.models;

import io.gptlens.core.model.Model;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Semaphore;

/**
 * A model the server has loaded.
 *
 * @param id     its id: the file name without {@code .gguf}
 * @param path   the file
 * @param model  the loaded model (owned by the registry)
 * @param loaded when it was loaded
 * @param slots  limits how many sessions run on it at once
 */
public record LoadedModel(String id, Path path, Model model, Instant loaded, Semaphore slots) {

    /** Waits for a free slot (release it with {@code slots().release()}); 503 if the wait is interrupted. */
    public void acquireSlot() {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException(ModelException.Kind.BUSY, "Interrupted while waiting for a free slot on '" + id + "'");
        }
    }
}
