package io.gptlens.llamacpp;

import io.gptlens.core.tokenizer.Piece;
import io.gptlens.core.tokenizer.SpecialTokens;
import io.gptlens.core.tokenizer.TokenType;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.llamacpp.internal.Llama;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * llama.cpp's own tokenizer for a loaded model ({@code llama_tokenize}, {@code llama_detokenize},
 * {@code llama_token_to_piece}), so tokens are exactly those llama.cpp would use.
 *
 * <p>Thread-safe (llama.cpp's tokenization API is). Valid while its model is open; afterwards
 * every method throws {@link IllegalStateException}.
 */
final class LlamaTokenizer implements Tokenizer {

    private final LlamaModel model;
    private final int nTokens;
    private final SpecialTokens special;

    LlamaTokenizer(LlamaModel model) {
        this.model = model;
        MemorySegment v = model.vocab();
        this.nTokens = Llama.intOf(Llama.VOCAB_N_TOKENS, v);
        this.special = new SpecialTokens(Llama.intOf(Llama.VOCAB_BOS, v), Llama.intOf(Llama.VOCAB_EOS, v), Llama.intOf(Llama.VOCAB_EOT, v),
                Llama.intOf(Llama.VOCAB_SEP, v), Llama.intOf(Llama.VOCAB_NL, v), Llama.intOf(Llama.VOCAB_PAD, v));
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined(); var use = model.use()) {
            MemorySegment in = arena.allocate(Math.max(1, utf8.length));
            MemorySegment.copy(utf8, 0, in, ValueLayout.JAVA_BYTE, 0, utf8.length);
            int max = utf8.length + 8;
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT, max);
            int n = Llama.tokenize(model.vocab(), in, utf8.length, out, max, addSpecial, parseSpecial);
            if (n == Integer.MIN_VALUE) {
                throw new IllegalArgumentException("Text too long to tokenize (" + utf8.length + " bytes)");
            }
            if (n < 0) {
                max = -n;
                out = arena.allocate(ValueLayout.JAVA_INT, max);
                n = Llama.tokenize(model.vocab(), in, utf8.length, out, max, addSpecial, parseSpecial);
                if (n < 0) {
                    throw new IllegalStateException("llama_tokenize failed twice for " + utf8.length + " bytes");
                }
            }
            return out.asSlice(0, 4L * n).toArray(ValueLayout.JAVA_INT);
        }
    }

    @Override
    public String decode(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        checkTokens(tokens);
        try (Arena arena = Arena.ofConfined(); var use = model.use()) {
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_INT, tokens.length == 0 ? new int[1] : tokens);
            int max = Math.max(16, tokens.length * 8);
            MemorySegment out = arena.allocate(max);
            int n = Llama.detokenize(model.vocab(), in, tokens.length, out, max, removeSpecial, unparseSpecial);
            if (n < 0) {
                max = -n;
                out = arena.allocate(max);
                n = Llama.detokenize(model.vocab(), in, tokens.length, out, max, removeSpecial, unparseSpecial);
            }
            if (n < 0) {
                throw new IllegalStateException("llama_detokenize failed for " + tokens.length + " tokens");
            }
            return new String(out.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    @Override
    public Piece piece(int token, boolean special) {
        checkToken(token);
        try (Arena arena = Arena.ofConfined(); var use = model.use()) {
            int max = 64;
            MemorySegment buf = arena.allocate(max);
            int n = Llama.tokenToPiece(model.vocab(), token, buf, max, 0, special);
            if (n < 0) {
                max = -n;
                buf = arena.allocate(max);
                n = Llama.tokenToPiece(model.vocab(), token, buf, max, 0, special);
            }
            byte[] bytes = n <= 0 ? new byte[0] : buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            return Piece.of(bytes);
        }
    }

    @Override
    public TokenType type(int token) {
        checkToken(token);
        int attr;
        try (var use = model.use()) {
            attr = Llama.vocabAttr(model.vocab(), token);
        }
        // llama_token_attr bits: 1 unknown, 2 unused, 4 normal, 8 control, 16 user-defined, 32 byte
        if ((attr & 8) != 0) {
            return TokenType.CONTROL;
        }
        if ((attr & 32) != 0) {
            return TokenType.BYTE;
        }
        if ((attr & 16) != 0) {
            return TokenType.USER_DEFINED;
        }
        if ((attr & 2) != 0) {
            return TokenType.UNUSED;
        }
        if ((attr & 1) != 0) {
            return TokenType.UNKNOWN;
        }
        return TokenType.NORMAL;
    }

    @Override
    public int vocabularySize() {
        return nTokens;
    }

    @Override
    public SpecialTokens specialTokens() {
        return special;
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        checkToken(token);
        try (var use = model.use()) {
            return Llama.vocabIsEog(model.vocab(), token);
        }
    }
}
