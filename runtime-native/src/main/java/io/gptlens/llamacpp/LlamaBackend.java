package io.gptlens.llamacpp;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufModelCheck;
import io.gptlens.core.model.Backend;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleConsumer;

/**
 * The llama.cpp backend. Loading a model goes through three gates, so that no file can take the
 * JVM down with it:
 * <ol>
 *   <li>{@link GgufFile#open}: the file is valid GGUF within every limit;</li>
 *   <li>{@link GgufModelCheck}: metadata and tensors agree (layer count, widths, vocabulary);</li>
 *   <li>{@link LlamaPreflight}: a child JVM loads the file and computes with it as the server
 *       will (a few tokens, the chain inside llama.cpp, the internals, every token's piece); if llama.cpp
 *       aborts or crashes there, only the child dies. A file's verdict is kept for later loads.</li>
 * </ol>
 * The preflight can be turned off with {@code -Dgptlens.preflight=false} (tests of trusted files).
 *
 * <p>Thread-safe; models are owned by the caller.
 */
public final class LlamaBackend implements Backend {

    @Override
    public String name() {
        return "llama.cpp";
    }

    @Override
    public Model load(Path file, LoadOptions options, DoubleConsumer progress) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("No such model file: " + file);
        }
        LlamaLibrary.load();
        GgufFile gguf = GgufFile.open(file);
        try {
            List<String> problems = GgufModelCheck.problems(gguf);
            if (!problems.isEmpty()) {
                throw new IOException("Refusing " + file + ": " + String.join("; ", problems));
            }
            boolean vocabOnly = options.vocabOnly() || gguf.tensors().isEmpty();
            LoadOptions effective = options.withVocabOnly(vocabOnly);
            if (!"false".equals(System.getProperty("gptlens.preflight"))) {
                LlamaPreflight.check(file, gguf, vocabOnly, effective.gpuLayers());
            }
            return LlamaModel.load(file, gguf, effective, progress);
        } catch (IOException | RuntimeException e) {
            gguf.close();
            throw e;
        }
    }
}
