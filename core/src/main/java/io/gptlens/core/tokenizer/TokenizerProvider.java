package io.gptlens.core.tokenizer;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.plugin.NamedProvider;

/**
 * Makes a {@link Tokenizer} from a GGUF file's vocabulary. Found through {@link java.util.ServiceLoader};
 * plugins contribute their own.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface TokenizerProvider extends NamedProvider {

    /** True if this provider can build a tokenizer for the file's {@code tokenizer.ggml.model}. */
    boolean supports(GgufFile file);

    /**
     * Builds a tokenizer from the file's metadata. The tokenizer does not keep the file open.
     *
     * @throws IllegalArgumentException if the vocabulary is missing or unsupported
     */
    Tokenizer create(GgufFile file);
}
