package io.gptlens.llamacpp;

import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.core.tokenizer.TokenizerContract;
import org.junit.jupiter.api.AfterAll;

/** llama.cpp's tokenizer (a LLaMA SentencePiece vocabulary) against the shared tokenizer contract. */
class LlamaTokenizerContractTest extends TokenizerContract {

    private static Model model;

    @Override
    protected Tokenizer tokenizer() {
        if (model == null) {
            try {
                model = new LlamaBackend().load(TestFiles.llamaSource().resolve("models/ggml-vocab-llama-spm.gguf"),
                        LoadOptions.defaults().withVocabOnly(true), null);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return model.tokenizer();
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
            model = null;
        }
    }
}
