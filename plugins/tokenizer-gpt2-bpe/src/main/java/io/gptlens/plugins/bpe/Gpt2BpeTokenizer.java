package io.gptlens.plugins.bpe;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufValue;
import io.gptlens.core.tokenizer.ByteLevelBpe;
import io.gptlens.core.tokenizer.SpecialTokens;
import io.gptlens.core.tokenizer.TokenType;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.core.tokenizer.TokenizerProvider;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code gpt2-bpe} tokenizer plugin: core's {@link ByteLevelBpe} (GPT-2's byte-level BPE in
 * pure Java) built from a GGUF's vocabulary. This class only reads the file; the algorithm, the
 * pre-tokenizer pattern and the byte table live in core.
 */
public final class Gpt2BpeTokenizer {

    private Gpt2BpeTokenizer() {
    }

    /**
     * Provider {@code gpt2-bpe}: supports {@code tokenizer.ggml.model = gpt2} with the pre-tokenizer
     * {@code gpt-2}, {@code default} or none. Reads {@code tokenizer.ggml.tokens}, {@code merges}
     * (none if absent), {@code token_type} (all normal if absent), {@code bos_token_id} and
     * {@code eos_token_id} (-1 if absent), {@code add_bos_token} and {@code add_eos_token} (false if
     * absent, llama.cpp's default for gpt2 vocabularies). Stateless and thread-safe.
     */
    public static final class Provider implements TokenizerProvider {
        @Override
        public String name() {
            return "gpt2-bpe";
        }

        @Override
        public String description() {
            return "GPT-2 byte-level BPE in pure Java (tokenizer.ggml.model = gpt2, pre-tokenizer gpt-2)";
        }

        @Override
        public boolean supports(GgufFile f) {
            return "gpt2".equals(f.getString("tokenizer.ggml.model").orElse(""))
                    && List.of("gpt-2", "default", "").contains(f.getString("tokenizer.ggml.pre").orElse(""));
        }

        @Override
        public Tokenizer create(GgufFile f) {
            if (!supports(f)) {
                throw new IllegalArgumentException(f.path() + " is not a GPT-2 byte-level BPE vocabulary (tokenizer.ggml.model = "
                        + f.getString("tokenizer.ggml.model").orElse("<absent>") + ", tokenizer.ggml.pre = "
                        + f.getString("tokenizer.ggml.pre").orElse("<absent>") + "); supported: gpt2 with gpt-2, default or none");
            }
            if (!(f.get("tokenizer.ggml.tokens").orElse(null) instanceof GgufValue.StrArray vocab)) {
                throw new IllegalArgumentException(f.path() + " has no string array tokenizer.ggml.tokens");
            }
            List<String> tokens = vocab.values();
            List<String> merges = f.get("tokenizer.ggml.merges").orElse(null) instanceof GgufValue.StrArray m ? m.values() : List.of();
            List<TokenType> types = new ArrayList<>(tokens.size());
            if (f.get("tokenizer.ggml.token_type").orElse(null) instanceof GgufValue.IntArray t) {
                if (t.size() != tokens.size()) {
                    throw new IllegalArgumentException("%s: %d token types for %d tokens".formatted(f.path(), t.size(), tokens.size()));
                }
                for (int i = 0; i < t.size(); i++) {
                    types.add(TokenType.ofGguf(t.get(i)));
                }
            } else {
                tokens.forEach(x -> types.add(TokenType.NORMAL));
            }
            int bos = (int) f.getLong("tokenizer.ggml.bos_token_id").orElse(-1L).longValue();
            int eos = (int) f.getLong("tokenizer.ggml.eos_token_id").orElse(-1L).longValue();
            boolean addBos = flag(f, "tokenizer.ggml.add_bos_token");
            boolean addEos = flag(f, "tokenizer.ggml.add_eos_token");
            return new ByteLevelBpe(tokens, merges, types, new SpecialTokens(bos, eos, -1, -1, -1, -1), addBos, addEos);
        }

        private static boolean flag(GgufFile f, String key) {
            return f.get(key).orElse(null) instanceof GgufValue.Bool b && b.value();
        }
    }
}
