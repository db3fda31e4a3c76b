package io.gptlens.llamacpp;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.tokenizer.Piece;
import io.gptlens.core.tokenizer.SpecialTokens;
import io.gptlens.core.tokenizer.TokenType;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.core.tokenizer.TokenizerProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;

/**
 * Provider {@code llama.cpp} of the {@link TokenizerProvider} SPI: llama.cpp's own tokenizer for
 * any vocabulary it supports, loaded from the file as a vocabulary only. The returned tokenizer
 * owns that vocabulary and frees it when it becomes unreachable (a {@link Cleaner}).
 */
public final class LlamaTokenizerProvider implements TokenizerProvider {

    private static final Cleaner CLEANER = Cleaner.create();

    @Override
    public String name() {
        return "llama.cpp";
    }

    @Override
    public String description() {
        return "llama.cpp's tokenizer (SPM, BPE, WPM, UGM, RWKV and the pre-tokenizers llama.cpp v0.5.0 knows)";
    }

    @Override
    public boolean supports(GgufFile file) {
        return file.getString("tokenizer.ggml.model").isPresent();
    }

    @Override
    public Tokenizer create(GgufFile file) {
        if (!supports(file)) {
            throw new IllegalArgumentException(file.path() + " has no tokenizer.ggml.model: no vocabulary to build a tokenizer from");
        }
        try {
            Model m = new LlamaBackend().load(file.path(), LoadOptions.defaults().withVocabOnly(true), null);
            Owning t = new Owning(m);
            CLEANER.register(t, m::close);
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Delegates to the model's tokenizer and keeps the model reachable while it is. */
    private static final class Owning implements Tokenizer {
        private final Model model;
        private final Tokenizer t;

        Owning(Model model) {
            this.model = model;
            this.t = model.tokenizer();
        }

        @Override
        public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
            return t.encode(text, addSpecial, parseSpecial);
        }

        @Override
        public String decode(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
            return t.decode(tokens, removeSpecial, unparseSpecial);
        }

        @Override
        public Piece piece(int token, boolean special) {
            return t.piece(token, special);
        }

        @Override
        public TokenType type(int token) {
            return t.type(token);
        }

        @Override
        public int vocabularySize() {
            return t.vocabularySize();
        }

        @Override
        public SpecialTokens specialTokens() {
            return t.specialTokens();
        }

        @Override
        public boolean isEndOfGeneration(int token) {
            return t.isEndOfGeneration(token);
        }

        @Override
        public String toString() {
            return "llama.cpp tokenizer of " + model.info().name();
        }
    }
}
