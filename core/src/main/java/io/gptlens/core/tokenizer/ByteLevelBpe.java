package io.gptlens.core.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level BPE (Radford et al., "Language Models are Unsupervised Multitask Learners",
 * 2019), as llama.cpp runs it for {@code tokenizer.ggml.model = gpt2} with the {@code gpt-2}
 * pre-tokenizer. Encoding a text:
 * <ol>
 *   <li>when special tokens are parsed, cut the text at every occurrence of a special token's text
 *       (longest texts first, as llama.cpp's {@code tokenizer_st_partition}); those occurrences
 *       become their ids and the text between them is encoded alone;</li>
 *   <li>pre-tokenize with {@link #GPT2_PATTERN} (contractions, letters, numbers, other symbols, each
 *       with an optional leading space; runs of whitespace);</li>
 *   <li>turn every UTF-8 byte of a piece into one symbol, the token of its GPT-2 character
 *       ({@link #byteToChar(int)});</li>
 *   <li>repeatedly merge the adjacent pair of lowest merge rank, the leftmost one on a tie, until no
 *       pair of the word has a merge;</li>
 *   <li>emit the symbols' ids.</li>
 * </ol>
 *
 * <p><b>Which texts are special.</b> With {@code parseSpecial = true}, the texts of
 * {@link TokenType#CONTROL}, {@link TokenType#USER_DEFINED} and {@link TokenType#UNKNOWN} tokens
 * are recognised. With {@code parseSpecial = false}, control and unknown texts are ordinary bytes,
 * but user-defined texts are still recognised, exactly as llama.cpp does (user-defined tokens are
 * words the vocabulary's authors added, matched before everything else).
 *
 * <p><b>Merges.</b> {@code merges} holds GPT-2's {@code "left right"} lines in rank order (rank 0
 * first); a repeated pair keeps its first rank. A merge whose parts or result are not in the
 * vocabulary still takes part (as in llama.cpp, where symbols are texts); a final symbol that is
 * not a token is emitted as the tokens of its single characters, dropping characters that have
 * none. Internally symbols are ints and a pair is looked up as one {@code long} key.
 *
 * <p><b>Decoding.</b> Normal (and every other non-control, non-user-defined) tokens are turned back
 * from GPT-2 characters into bytes; a character outside the byte table stands for its own UTF-8.
 * Control and user-defined tokens stand for their text; control tokens produce nothing unless asked
 * for. Spaces are not cleaned up, so {@code decode(encode(s)) == s} for any string without unpaired
 * surrogates.
 *
 * <p><b>Thread-safety:</b> immutable apart from a bounded concurrent cache of encoded words
 * ({@value #CACHE_LIMIT} words of at most {@value #CACHED_WORD_CHARS} chars, emptied when full);
 * safe for concurrent use. It owns no native memory and is never closed.
 */
public final class ByteLevelBpe implements Tokenizer {

    /**
     * GPT-2's pre-tokenizer pattern, character for character OpenAI's {@code encoder.py}, with
     * {@code (?U)} so that {@code \s} is Unicode's White_Space (the set llama.cpp uses; without it
     * Java's {@code \s} is ASCII only); {@code \p{L}} and {@code \p{N}} are Unicode categories either
     * way. llama.cpp lists the pattern without the final {@code |\s+} but its hand-written splitter
     * for {@code gpt-2} does the same for whitespace that {@code \s+(?!\S)} leaves over.
     */
    public static final String GPT2_PATTERN =
            "(?U)'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private static final Pattern PRE = Pattern.compile(GPT2_PATTERN);

    /** Most words the cache holds before it is emptied. */
    static final int CACHE_LIMIT = 1 << 16;
    /** Longer words are encoded every time. */
    static final int CACHED_WORD_CHARS = 64;

    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Indexed by char; -1 where the char is not one of the 256. */
    private static final short[] CHAR_TO_BYTE = new short[256 + 68];

    static {
        Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
        }
    }

    private final String[] tokens;
    private final TokenType[] types;
    private final byte[][] bytes;
    private final SpecialTokens special;
    private final boolean addBos;
    private final boolean addEos;
    /** The symbol of each byte value (a token id, or an id past the vocabulary). */
    private final int[] byteSymbol = new int[256];
    /** Texts of symbols that are not tokens, by id minus the vocabulary size. */
    private final String[] extraSymbols;
    /** Tokens of each single char, for symbols that are not tokens. */
    private final Map<Character, Integer> charTokens = new HashMap<>();
    private final PairTable merges;
    /** Special token ids in matching order: longest text first, then lowest id. */
    private final int[] specialOrder;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * Builds a tokenizer from a vocabulary.
     *
     * @param tokens  token texts, id order; normal tokens in GPT-2 characters, control and
     *                user-defined tokens as plain text
     * @param merges  {@code "left right"} per merge, rank order
     * @param types   one type per token
     * @param special the special token ids ({@code -1} where absent)
     * @param addBos  {@code encode(.., addSpecial = true, ..)} starts with {@code special.bos()}
     * @param addEos  {@code encode(.., addSpecial = true, ..)} ends with {@code special.eos()}
     * @throws IllegalArgumentException if the vocabulary is empty, {@code types} has another size,
     *                                  a merge has no space, a special id is outside the vocabulary,
     *                                  or BOS/EOS is asked for but absent
     */
    public ByteLevelBpe(List<String> tokens, List<String> merges, List<TokenType> types, SpecialTokens special,
                        boolean addBos, boolean addEos) {
        Objects.requireNonNull(special, "special");
        this.tokens = tokens.toArray(String[]::new);
        int n = this.tokens.length;
        if (n == 0) {
            throw new IllegalArgumentException("Empty vocabulary: a byte-level BPE needs at least the 256 byte tokens");
        }
        if (types.size() != n) {
            throw new IllegalArgumentException("%d token types for %d tokens".formatted(types.size(), n));
        }
        this.types = types.toArray(TokenType[]::new);
        for (int id : new int[]{special.bos(), special.eos(), special.eot(), special.sep(), special.nl(), special.pad()}) {
            if (id < -1 || id >= n) {
                throw new IllegalArgumentException("Special token id " + id + " is outside the vocabulary [0, " + n + ") in " + special);
            }
        }
        if (addBos && special.bos() < 0) {
            throw new IllegalArgumentException("addBos is set but the vocabulary has no BOS token: " + special);
        }
        if (addEos && special.eos() < 0) {
            throw new IllegalArgumentException("addEos is set but the vocabulary has no EOS token: " + special);
        }
        this.special = special;
        this.addBos = addBos;
        this.addEos = addEos;

        Map<String, Integer> ids = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            ids.put(this.tokens[i], i); // a repeated text means its last id, as llama.cpp's token_to_id
        }
        for (int i = 0; i < n; i++) {
            String t = this.tokens[i];
            if (t.length() == 1) {
                charTokens.put(t.charAt(0), ids.get(t));
            }
        }
        List<String> extra = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            byteSymbol[b] = symbol(String.valueOf(BYTE_TO_CHAR[b]), ids, extra);
        }
        this.merges = new PairTable(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] lr = splitMerge(rank, merges.get(rank));
            String left = lr[0];
            String right = lr[1];
            int l = symbol(left, ids, extra);
            int r = symbol(right, ids, extra);
            int merged = symbol(left + right, ids, extra);
            this.merges.putIfAbsent(pairKey(l, r), ((long) rank << 32) | merged);
        }
        this.extraSymbols = extra.toArray(String[]::new);

        this.bytes = new byte[n][];
        List<Integer> specials = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TokenType t = this.types[i];
            boolean literal = t == TokenType.CONTROL || t == TokenType.USER_DEFINED;
            bytes[i] = literal ? this.tokens[i].getBytes(StandardCharsets.UTF_8) : charsToBytes(this.tokens[i]);
            if ((literal || t == TokenType.UNKNOWN) && !this.tokens[i].isEmpty()) {
                specials.add(i);
            }
        }
        // llama.cpp sorts by UTF-8 length, longest first; equal lengths keep id order here
        specials.sort(Comparator.<Integer>comparingInt(i -> -this.tokens[i].getBytes(StandardCharsets.UTF_8).length)
                .thenComparingInt(i -> i));
        this.specialOrder = specials.stream().mapToInt(Integer::intValue).toArray();
    }

    private int symbol(String text, Map<String, Integer> ids, List<String> extra) {
        Integer id = ids.get(text);
        if (id == null) {
            id = tokens.length + extra.size();
            ids.put(text, id);
            extra.add(text);
        }
        return id;
    }

    // ---- GPT-2's byte table and pre-tokenizer, shared with the trainer ----

    /**
     * GPT-2's character for a byte ({@code bytes_to_unicode}): the printable Latin-1 bytes
     * ({@code !..~}, {@code ¡..¬}, {@code ®..ÿ}) stand for themselves, the other 68 map in byte order
     * to U+0100 onwards, so a space is {@code Ġ} (U+0120) and a newline {@code Ċ} (U+010A).
     *
     * @param b a byte value 0..255 (a Java {@code byte} must be masked with {@code & 0xFF})
     * @throws IllegalArgumentException if {@code b} is outside 0..255
     */
    public static char byteToChar(int b) {
        if (b < 0 || b > 255) {
            throw new IllegalArgumentException("Not a byte value: " + b + "; expected 0..255");
        }
        return BYTE_TO_CHAR[b];
    }

    /** The byte (0..255) a GPT-2 character stands for, or {@code -1} if it is not one of the 256. */
    public static int charToByte(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** {@code bytes} written in GPT-2 characters, one char per byte. */
    public static String bytesToChars(byte[] bytes) {
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /**
     * The bytes a GPT-2 character string stands for; a char outside the table stands for its own
     * UTF-8 (an unpaired surrogate for {@code ?}).
     */
    public static byte[] charsToBytes(String chars) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(chars.length());
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            int b = charToByte(c);
            if (b >= 0) {
                out.write(b);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < chars.length() && Character.isLowSurrogate(chars.charAt(i + 1)) ? i + 2 : i + 1;
                out.writeBytes(chars.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
            }
        }
        return out.toByteArray();
    }

    /** Calls {@code action} with each piece of {@code text} that {@link #GPT2_PATTERN} cuts, in order. */
    public static void preTokenize(CharSequence text, Consumer<? super String> action) {
        preTokenize(text, 0, text.length(), action);
    }

    private static void preTokenize(CharSequence text, int start, int end, Consumer<? super String> action) {
        Matcher m = PRE.matcher(text);
        m.region(start, end); // opaque bounds: the end of the region is the end of the text, as in llama.cpp
        while (m.find()) {
            action.accept(m.group());
        }
    }

    // ---- Tokenizer ----

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addSpecial && addBos) {
            out.add(special.bos());
        }
        List<int[]> fragments = partition(text, parseSpecial);
        if (fragments == null) {
            preTokenize(text, 0, text.length(), piece -> out.addAll(word(piece)));
        } else {
            for (int[] f : fragments) {
                if (f[2] >= 0) {
                    out.add(f[2]);
                } else {
                    preTokenize(text, f[0], f[1], piece -> out.addAll(word(piece)));
                }
            }
        }
        if (addSpecial && addEos) {
            out.add(special.eos());
        }
        return out.toArray();
    }

    /**
     * The text cut at special token texts as {start, end, token} fragments (token -1 for text), or
     * null when no special text occurs.
     */
    private List<int[]> partition(String text, boolean parseSpecial) {
        List<int[]> fragments = null;
        for (int id : specialOrder) {
            if (!parseSpecial && types[id] != TokenType.USER_DEFINED) {
                continue;
            }
            String s = tokens[id];
            if (!text.contains(s)) {
                continue;
            }
            if (fragments == null) {
                fragments = new ArrayList<>();
                fragments.add(new int[]{0, text.length(), -1});
            }
            List<int[]> next = new ArrayList<>(fragments.size() + 2);
            for (int[] f : fragments) {
                if (f[2] >= 0) {
                    next.add(f);
                    continue;
                }
                int from = f[0];
                int at;
                while (from < f[1] && (at = text.indexOf(s, from, f[1])) >= 0) {
                    if (at > from) {
                        next.add(new int[]{from, at, -1});
                    }
                    next.add(new int[]{at, at + s.length(), id});
                    from = at + s.length();
                }
                if (from < f[1]) {
                    next.add(new int[]{from, f[1], -1});
                }
            }
            fragments = next;
        }
        return fragments;
    }

    /** The token ids of one pre-tokenized piece (shared with the cache: never modify). */
    private int[] word(String piece) {
        if (piece.length() > CACHED_WORD_CHARS) {
            return bpe(piece.getBytes(StandardCharsets.UTF_8));
        }
        int[] ids = cache.get(piece);
        if (ids == null) {
            ids = bpe(piece.getBytes(StandardCharsets.UTF_8));
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(piece, ids);
        }
        return ids;
    }

    /**
     * The tokens of one word's bytes: llama.cpp's {@code llm_tokenizer_bpe_session}, a linked list
     * of symbols and a queue of candidate pairs ordered by (rank, left position).
     */
    private int[] bpe(byte[] utf8) {
        int n = utf8.length;
        int[] sym = new int[n];
        for (int i = 0; i < n; i++) {
            sym[i] = byteSymbol[utf8[i] & 0xFF];
        }
        if (n > 1) {
            int[] next = new int[n];
            int[] prev = new int[n];
            for (int i = 0; i < n; i++) {
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
            }
            LongHeap queue = new LongHeap(n);
            for (int i = 0; i + 1 < n; i++) {
                offer(queue, sym, next, i);
            }
            while (!queue.isEmpty()) {
                long top = queue.poll();
                int rank = (int) (top >>> 32);
                int left = (int) top;
                int right = next[left];
                if (sym[left] < 0 || right < 0) {
                    continue;
                }
                long m = merges.get(pairKey(sym[left], sym[right]));
                if (m == PairTable.MISSING || (int) (m >>> 32) != rank) {
                    continue; // stale: the pair at this position changed since it was queued
                }
                sym[left] = (int) m;
                sym[right] = -1;
                next[left] = next[right];
                if (next[right] >= 0) {
                    prev[next[right]] = left;
                }
                if (prev[left] >= 0) {
                    offer(queue, sym, next, prev[left]);
                }
                offer(queue, sym, next, left);
            }
        }
        IntList out = new IntList(n);
        for (int s : sym) {
            if (s < 0) {
                continue;
            }
            if (s < tokens.length) {
                out.add(s);
            } else {
                for (char c : extraSymbols[s - tokens.length].toCharArray()) {
                    Integer t = charTokens.get(c);
                    if (t != null) {
                        out.add(t);
                    }
                }
            }
        }
        return out.toArray();
    }

    private void offer(LongHeap queue, int[] sym, int[] next, int left) {
        int right = next[left];
        if (right < 0) {
            return;
        }
        long m = merges.get(pairKey(sym[left], sym[right]));
        if (m != PairTable.MISSING) {
            queue.add((m & 0xFFFF_FFFF_0000_0000L) | left);
        }
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFF_FFFFL);
    }

    @Override
    public String decode(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        checkTokens(ids);
        int from = 0;
        int to = ids.length;
        if (removeSpecial && addBos && to > 0 && ids[0] == special.bos()) {
            from++;
        }
        if (removeSpecial && addEos && to > from && ids[to - 1] == special.eos()) {
            to--;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            int id = ids[i];
            if (types[id] != TokenType.CONTROL || unparseSpecial) {
                out.writeBytes(bytes[id]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public Piece piece(int token, boolean special) {
        checkToken(token);
        if (types[token] == TokenType.CONTROL && !special) {
            return Piece.of(new byte[0]);
        }
        return Piece.of(bytes[token]);
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
        return token >= 0 && (token == special.eos() || token == special.eot());
    }

    /**
     * The two symbols of merge number {@code rank}, written {@code "left right"} (GGUF's
     * {@code tokenizer.ggml.merges}; a symbol may itself be a space-like character, so the
     * separator is searched from the second character on).
     *
     * @throws IllegalArgumentException if it is not of that form
     */
    public static String[] splitMerge(int rank, String merge) {
        int space = merge.indexOf(' ', 1);
        if (space < 0 || space == merge.length() - 1) {
            throw new IllegalArgumentException("Merge " + rank + " is not 'left right': '" + merge + "'");
        }
        return new String[] {merge.substring(0, space), merge.substring(space + 1)};
    }

    // ---- small primitive collections ----

    /** Binary min-heap of longs. */
    private static final class LongHeap {
        private long[] heap;
        private int size;

        LongHeap(int capacity) {
            heap = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void add(long v) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (heap[parent] <= v) {
                    break;
                }
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = v;
        }

        long poll() {
            long top = heap[0];
            long last = heap[--size];
            int i = 0;
            int half = size >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                if (child + 1 < size && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (last <= heap[child]) {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            if (size > 0) {
                heap[i] = last;
            }
            return top;
        }
    }

    /** Growable int array. */
    private static final class IntList {
        private int[] a;
        private int size;

        IntList(int capacity) {
            a = new int[Math.max(4, capacity)];
        }

        void add(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }

        void addAll(int[] vs) {
            if (size + vs.length > a.length) {
                a = Arrays.copyOf(a, Math.max(a.length * 2, size + vs.length));
            }
            System.arraycopy(vs, 0, a, size, vs.length);
            size += vs.length;
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
