package io.gptlens.plugins.bpe;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufValue;
import io.gptlens.core.tokenizer.Piece;
import io.gptlens.core.tokenizer.SpecialTokens;
import io.gptlens.core.tokenizer.TokenType;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.core.tokenizer.TokenizerProvider;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level BPE (Radford et al., "Language Models are Unsupervised Multitask Learners",
 * 2019) in pure Java, from a GGUF's {@code tokenizer.ggml.tokens} and {@code tokenizer.ggml.merges}:
 * <ol>
 *   <li>pre-tokenize with GPT-2's pattern (contractions, letters, numbers, other symbols, each with
 *       an optional leading space; runs of whitespace);</li>
 *   <li>map every UTF-8 byte of a piece to a printable character (GPT-2's {@code bytes_to_unicode}:
 *       printable Latin-1 bytes stand for themselves, the rest map to U+0100 onwards, so a space is
 *       {@code Ġ});</li>
 *   <li>merge adjacent symbols, always the pair of lowest merge rank first, until none is left;</li>
 *   <li>look the symbols up in the vocabulary.</li>
 * </ol>
 * Thread-safe (immutable tables, a concurrent cache of words).
 */
public final class Gpt2BpeTokenizer implements Tokenizer {

    /** GPT-2's pre-tokenizer pattern; (?U) makes \s, \p{L} and \p{N} Unicode-aware. */
    static final Pattern PRE = Pattern.compile(
            "(?U)'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final Map<Character, Integer> CHAR_TO_BYTE = new HashMap<>();

    static {
        List<Integer> printable = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            printable.add(b);
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            printable.add(b);
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            printable.add(b);
        }
        int next = 0;
        for (int b = 0; b < 256; b++) {
            char c = printable.contains(b) ? (char) b : (char) (256 + next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE.put(c, b);
        }
    }

    private final String[] tokens;
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<String, Integer> ranks = new HashMap<>();
    private final TokenType[] types;
    private final SpecialTokens special;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    Gpt2BpeTokenizer(List<String> vocab, List<String> merges, long[] tokenTypes, SpecialTokens special) {
        this.tokens = vocab.toArray(String[]::new);
        for (int i = 0; i < tokens.length; i++) {
            ids.putIfAbsent(tokens[i], i);
        }
        for (int i = 0; i < merges.size(); i++) {
            ranks.putIfAbsent(merges.get(i), i);
        }
        this.types = new TokenType[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            long t = tokenTypes == null ? 1 : tokenTypes[i];
            types[i] = switch ((int) t) {
                case 3 -> TokenType.CONTROL;
                case 4 -> TokenType.USER_DEFINED;
                case 5 -> TokenType.UNUSED;
                case 6 -> TokenType.BYTE;
                case 2 -> TokenType.UNKNOWN;
                default -> TokenType.NORMAL;
            };
        }
        this.special = special;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        List<Integer> out = new ArrayList<>();
        if (addSpecial && special.bos() >= 0) {
            out.add(special.bos());
        }
        Matcher m = PRE.matcher(text);
        while (m.find()) {
            for (int id : word(m.group())) {
                out.add(id);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The tokens of one pre-tokenized piece. */
    int[] word(String piece) {
        return cache.computeIfAbsent(piece, p -> {
            byte[] utf8 = p.getBytes(StandardCharsets.UTF_8);
            List<String> symbols = new ArrayList<>(utf8.length);
            for (byte b : utf8) {
                symbols.add(String.valueOf(BYTE_TO_CHAR[b & 0xFF]));
            }
            while (symbols.size() > 1) {
                int best = -1;
                int bestRank = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    Integer r = ranks.get(symbols.get(i) + " " + symbols.get(i + 1));
                    if (r != null && r < bestRank) {
                        bestRank = r;
                        best = i;
                    }
                }
                if (best < 0) {
                    break;
                }
                String a = symbols.get(best);
                String b = symbols.get(best + 1);
                List<String> merged = new ArrayList<>(symbols.size());
                for (int i = 0; i < symbols.size(); i++) {
                    if (i + 1 < symbols.size() && symbols.get(i).equals(a) && symbols.get(i + 1).equals(b)) {
                        merged.add(a + b);
                        i++;
                    } else {
                        merged.add(symbols.get(i));
                    }
                }
                symbols = merged;
            }
            List<Integer> idList = new ArrayList<>();
            for (String s : symbols) {
                Integer id = ids.get(s);
                if (id != null) {
                    idList.add(id);
                } else {
                    for (char c : s.toCharArray()) { // not in the vocabulary: fall back to single symbols
                        Integer single = ids.get(String.valueOf(c));
                        if (single != null) {
                            idList.add(single);
                        }
                    }
                }
            }
            return idList.stream().mapToInt(Integer::intValue).toArray();
        });
    }

    private byte[] bytesOf(int token) {
        String t = tokens[token];
        if (types[token] == TokenType.CONTROL || types[token] == TokenType.USER_DEFINED) {
            return t.getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (char c : t.toCharArray()) {
            Integer b = CHAR_TO_BYTE.get(c);
            if (b != null) {
                out.write(b);
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    @Override
    public String decode(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        checkTokens(ids);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            if (types[id] == TokenType.CONTROL && !unparseSpecial) {
                continue;
            }
            out.writeBytes(bytesOf(id));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public Piece piece(int token, boolean special) {
        checkToken(token);
        if (types[token] == TokenType.CONTROL && !special) {
            return Piece.of(new byte[0]);
        }
        return Piece.of(bytesOf(token));
    }

    @Override
    public TokenType type(int token) {
        checkToken(token);
        return types[token];
    }

    @Override
    public int vocabularySize() {
        return tokens.length;
    }

    @Override
    public SpecialTokens specialTokens() {
        return special;
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        return token == special.eos() || token == special.eot();
    }

    /** Provider {@code gpt2-bpe}. */
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
                throw new IllegalArgumentException(f.path() + " is not a GPT-2 byte-level BPE vocabulary");
            }
            List<String> vocab = ((GgufValue.StrArray) f.get("tokenizer.ggml.tokens").orElseThrow()).values();
            List<String> merges = f.get("tokenizer.ggml.merges").orElse(null) instanceof GgufValue.StrArray m ? m.values() : List.of();
            long[] types = f.get("tokenizer.ggml.token_type").orElse(null) instanceof GgufValue.IntArray t ? t.values() : null;
            int bos = (int) f.getLong("tokenizer.ggml.bos_token_id").orElse(-1L).longValue();
            int eos = (int) f.getLong("tokenizer.ggml.eos_token_id").orElse(-1L).longValue();
            return new Gpt2BpeTokenizer(vocab, merges, types, new SpecialTokens(bos, eos, -1, -1, -1, -1));
        }
    }
}
