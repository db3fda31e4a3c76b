package io.gptlens.core.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.DoubleConsumer;

/**
 * Something that runs models: llama.cpp through FFM in {@code runtime-native}, or another runtime.
 *
 * <p><b>Thread-safety:</b> {@link #load} may be called from several threads. <b>Ownership:</b>
 * models are owned by the caller and closed by it; closing the backend after its models is safe.
 */
public interface Backend extends AutoCloseable {

    /** A short name, e.g. "llama.cpp". */
    String name();

    /**
     * Loads a GGUF model.
     *
     * @param progress receives load progress from 0 to 1 (may be called from a native thread); null for none
     * @throws IOException if the file cannot be read, is not valid GGUF, or the runtime refuses it
     *                     (the message says why and names the file)
     */
    Model load(Path file, LoadOptions options, DoubleConsumer progress) throws IOException;

    @Override
    default void close() {
    }
}
