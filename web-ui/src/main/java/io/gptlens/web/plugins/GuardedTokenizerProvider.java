package io.gptlens.web.plugins;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.tokenizer.Piece;
import io.gptlens.core.tokenizer.SpecialTokens;
import io.gptlens.core.tokenizer.TokenType;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.core.tokenizer.TokenizerProvider;

import java.util.function.BiConsumer;

/**
 * A plugin's tokenizer provider with its faults kept inside: every call runs with the plugin time
 * budget, and answers are checked (token ids within the vocabulary, a piece for every id). A fault
 * throws a {@link PluginFault} naming the plugin and marks it failed; the server goes on.
 */
public final class GuardedTokenizerProvider extends GuardedProvider<TokenizerProvider> implements TokenizerProvider {

    /**
     * @throws IllegalArgumentException if the provider's declarations fail, hang or make no sense
     */
    GuardedTokenizerProvider(TokenizerProvider delegate, String jar, BiConsumer<String, String> onFault, PluginCalls.Budgets budgets) {
        super(delegate, jar, onFault, budgets);
    }

    @Override
    public boolean supports(GgufFile file) {
        return call(() -> delegate().supports(file));
    }

    @Override
    public Tokenizer create(GgufFile file) {
        // making a tokenizer reads a whole vocabulary (llama.cpp's provider loads it in a checked child process):
        // it gets the load budget, not the per-call one
        Tokenizer t = call(() -> delegate().create(file), budgets().loadMs());
        if (t == null) {
            throw fault("returned no tokenizer", null);
        }
        int vocab = call(t::vocabularySize);
        if (vocab < 1) {
            throw fault("reports a vocabulary of " + vocab + " tokens", null);
        }
        return new GuardedTokenizer(t, vocab);
    }

    @Override
    PluginFault exception(String message, Throwable cause) {
        return new PluginFault("Tokenizer '" + name() + "' " + message, cause);
    }

    private final class GuardedTokenizer implements Tokenizer {
        private final Tokenizer t;
        private final int vocab;

        GuardedTokenizer(Tokenizer t, int vocab) {
            this.t = t;
            this.vocab = vocab;
        }

        @Override
        public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
            int[] ids = call(() -> t.encode(text, addSpecial, parseSpecial));
            if (ids == null) {
                throw fault("returned no tokens (null)", null);
            }
            for (int id : ids) {
                if (id < 0 || id >= vocab) {
                    throw fault("returned token " + id + ", outside its vocabulary of " + vocab, null);
                }
            }
            return ids;
        }

        @Override
        public String decode(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
            checkTokens(tokens);
            String s = call(() -> t.decode(tokens.clone(), removeSpecial, unparseSpecial));
            if (s == null) {
                throw fault("decoded to null", null);
            }
            return s;
        }

        @Override
        public Piece piece(int token, boolean special) {
            checkToken(token);
            Piece p = call(() -> t.piece(token, special));
            if (p == null) {
                throw fault("has no piece for token " + token, null);
            }
            return p;
        }

        @Override
        public TokenType type(int token) {
            checkToken(token);
            TokenType type = call(() -> t.type(token));
            if (type == null) {
                throw fault("has no type for token " + token, null);
            }
            return type;
        }

        @Override
        public int vocabularySize() {
            return vocab;
        }

        @Override
        public SpecialTokens specialTokens() {
            return call(t::specialTokens);
        }

        @Override
        public boolean isEndOfGeneration(int token) {
            return call(() -> t.isEndOfGeneration(token));
        }
    }
}
