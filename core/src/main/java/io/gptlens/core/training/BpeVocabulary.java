package io.gptlens.core.training;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufValue;
import io.gptlens.core.gguf.GgufWriter;
import io.gptlens.core.tokenizer.ByteLevelBpe;
import io.gptlens.core.tokenizer.SpecialTokens;
import io.gptlens.core.tokenizer.TokenType;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A byte-level BPE vocabulary in llama.cpp's {@code gpt2} form: what {@link BpeTrainer} learns, and
 * what {@link #writeTo(GgufWriter)} stores in a GGUF file.
 *
 * <p>The trainer lays it out as: ids 0..255 the single bytes in byte order (as GPT-2 characters,
 * {@link ByteLevelBpe#byteToChar(int)}), then one token per merge in merge order, then the special
 * tokens ({@link TokenType#CONTROL}), the first of them the end-of-text token. The record itself
 * only requires what any GPT-2 style vocabulary meets, so {@link #readFrom(GgufFile)} also reads
 * vocabularies laid out otherwise.
 *
 * <p>The end-of-text token serves as BOS, EOS and EOT; encoding with {@code addSpecial} puts it in
 * front of a text (llama.cpp's {@code add_bos_token = true}) and never after it.
 *
 * @param tokens    token texts by id: normal tokens in GPT-2 characters, control tokens as text
 * @param merges    {@code "left right"} per merge (GPT-2 characters), rank order
 * @param types     the type of each token
 * @param endOfText the id of the end-of-text token, e.g. {@code <|endoftext|>}
 */
public record BpeVocabulary(List<String> tokens, List<String> merges, List<TokenType> types, int endOfText) {

    /**
     * Checks the vocabulary.
     *
     * @throws IllegalArgumentException if {@code types} has another size than {@code tokens}, a byte
     *                                  character is missing, a merge is not {@code "left right"} of
     *                                  two tokens whose concatenation is a token, or
     *                                  {@code endOfText} is not a control token of the vocabulary
     */
    public BpeVocabulary {
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        types = List.copyOf(types);
        if (types.size() != tokens.size()) {
            throw new IllegalArgumentException("%d token types for %d tokens".formatted(types.size(), tokens.size()));
        }
        if (endOfText < 0 || endOfText >= tokens.size()) {
            throw new IllegalArgumentException("End-of-text id " + endOfText + " is outside the vocabulary [0, " + tokens.size() + ")");
        }
        if (types.get(endOfText) != TokenType.CONTROL) {
            throw new IllegalArgumentException("End-of-text token " + endOfText + " '" + tokens.get(endOfText) + "' is " + types.get(endOfText)
                    + ", expected CONTROL");
        }
        Set<String> known = new HashSet<>(tokens);
        for (int b = 0; b < 256; b++) {
            String c = String.valueOf(ByteLevelBpe.byteToChar(b));
            if (!known.contains(c)) {
                throw new IllegalArgumentException("Byte 0x%02X ('%s') has no token; a byte-level BPE needs all 256".formatted(b, c));
            }
        }
        for (int i = 0; i < merges.size(); i++) {
            String m = merges.get(i);
            String[] lr = ByteLevelBpe.splitMerge(i, m);
            for (String part : new String[]{lr[0], lr[1], lr[0] + lr[1]}) {
                if (!known.contains(part)) {
                    throw new IllegalArgumentException("Merge " + i + " '" + m + "': '" + part + "' is not a token");
                }
            }
        }
    }

    /** Number of tokens. */
    public int size() {
        return tokens.size();
    }

    /**
     * The special tokens: BOS, EOS and EOT all {@link #endOfText()} (llama.cpp takes
     * {@code <|endoftext|>} as EOT when a file names none), newline the token of byte 0x0A.
     */
    public SpecialTokens specialTokens() {
        int nl = tokens.indexOf(String.valueOf(ByteLevelBpe.byteToChar('\n')));
        return new SpecialTokens(endOfText, endOfText, endOfText, -1, nl, -1);
    }

    /** A tokenizer for this vocabulary, adding BOS (never EOS) when asked for special tokens. */
    public ByteLevelBpe tokenizer() {
        return new ByteLevelBpe(tokens, merges, types, specialTokens(), true, false);
    }

    /**
     * Puts the vocabulary into {@code w} under llama.cpp's keys for a gpt2 tokenizer:
     * <ul>
     *   <li>{@code tokenizer.ggml.model} = {@code "gpt2"}, {@code tokenizer.ggml.pre} = {@code "gpt-2"};</li>
     *   <li>{@code tokenizer.ggml.tokens} (string array), {@code tokenizer.ggml.token_type} (INT32
     *       array, GGUF codes: 1 normal, 3 control, ...), {@code tokenizer.ggml.merges} (string array);</li>
     *   <li>{@code tokenizer.ggml.bos_token_id} and {@code tokenizer.ggml.eos_token_id} (UINT32, both
     *       {@link #endOfText()});</li>
     *   <li>{@code tokenizer.ggml.add_bos_token} = true, {@code tokenizer.ggml.add_eos_token} = false.</li>
     * </ul>
     * Replaces those keys where {@code w} has them already; writing the file stays with the caller.
     */
    public void writeTo(GgufWriter w) {
        int[] codes = new int[types.size()];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = types.get(i).ggufCode();
        }
        w.putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", "gpt-2")
                .putStrings("tokenizer.ggml.tokens", tokens)
                .putInts("tokenizer.ggml.token_type", codes)
                .putStrings("tokenizer.ggml.merges", merges)
                .putUInt32("tokenizer.ggml.bos_token_id", endOfText)
                .putUInt32("tokenizer.ggml.eos_token_id", endOfText)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false);
    }

    /**
     * Reads what {@link #writeTo(GgufWriter)} writes: model {@code gpt2}, pre-tokenizer
     * {@code gpt-2}, tokens, token types and merges, BOS equal to EOS, {@code add_bos_token} true and
     * {@code add_eos_token} false (or absent). Anything else would change how the file tokenizes, so
     * it is refused rather than read approximately.
     *
     * @throws IllegalArgumentException naming the file and the key, if it is not such a vocabulary
     */
    public static BpeVocabulary readFrom(GgufFile f) {
        String where = f.path() + ": ";
        String model = f.getString("tokenizer.ggml.model").orElse("<absent>");
        if (!model.equals("gpt2")) {
            throw new IllegalArgumentException(where + "tokenizer.ggml.model = " + model + "; a byte-level BPE vocabulary needs gpt2");
        }
        String pre = f.getString("tokenizer.ggml.pre").orElse("<absent>");
        if (!pre.equals("gpt-2")) {
            throw new IllegalArgumentException(where + "tokenizer.ggml.pre = " + pre + "; this vocabulary needs gpt-2");
        }
        List<String> tokens = strings(f, "tokenizer.ggml.tokens");
        List<String> merges = strings(f, "tokenizer.ggml.merges");
        if (!(f.get("tokenizer.ggml.token_type").orElse(null) instanceof GgufValue.IntArray codes)) {
            throw new IllegalArgumentException(where + "tokenizer.ggml.token_type is missing or not an integer array");
        }
        List<TokenType> types = new ArrayList<>(codes.size());
        for (int i = 0; i < codes.size(); i++) {
            types.add(TokenType.ofGguf(codes.get(i)));
        }
        long bos = f.getLong("tokenizer.ggml.bos_token_id").orElse(-1L);
        long eos = f.getLong("tokenizer.ggml.eos_token_id").orElse(-1L);
        if (bos < 0 || bos != eos) {
            throw new IllegalArgumentException(where + "tokenizer.ggml.bos_token_id = " + bos + " and eos_token_id = " + eos
                    + "; this vocabulary needs both present and equal (the end-of-text token)");
        }
        if (!(f.get("tokenizer.ggml.add_bos_token").orElse(null) instanceof GgufValue.Bool addBos) || !addBos.value()) {
            throw new IllegalArgumentException(where + "tokenizer.ggml.add_bos_token = "
                    + f.get("tokenizer.ggml.add_bos_token").map(GgufValue::display).orElse("<absent>") + "; this vocabulary needs true");
        }
        if (f.get("tokenizer.ggml.add_eos_token").orElse(null) instanceof GgufValue v && !(v instanceof GgufValue.Bool b && !b.value())) {
            throw new IllegalArgumentException(where + "tokenizer.ggml.add_eos_token = " + v.display() + "; this vocabulary needs false or absent");
        }
        if (bos >= tokens.size()) {
            throw new IllegalArgumentException(where + "tokenizer.ggml.bos_token_id = " + bos + " is outside the " + tokens.size() + " tokens");
        }
        try {
            return new BpeVocabulary(tokens, merges, types, (int) bos);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    private static List<String> strings(GgufFile f, String key) {
        if (!(f.get(key).orElse(null) instanceof GgufValue.StrArray a)) {
            throw new IllegalArgumentException(f.path() + ": " + key + " is missing or not a string array");
        }
        return a.values();
    }
}
