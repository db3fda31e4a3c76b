package io.gptlens.core.training;

import io.gptlens.core.tokenizer.ByteLevelBpe;
import io.gptlens.core.tokenizer.PairTable;
import io.gptlens.core.tokenizer.TokenType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Learns a byte-level BPE vocabulary (Sennrich, Haddow, Birch, "Neural Machine Translation of Rare
 * Words with Subword Units", 2016, on bytes as GPT-2 does) from a corpus:
 * <ol>
 *   <li>cut every document into words with GPT-2's pre-tokenizer and count them ({@link WordCounts});</li>
 *   <li>start every word as its UTF-8 bytes, symbols 0..255;</li>
 *   <li>repeatedly take the adjacent pair of symbols that occurs most often, counting each word as
 *       often as it occurs, make it a new symbol and replace its occurrences in every word (left to
 *       right, so {@code a a a} becomes {@code aa a});</li>
 *   <li>stop when the vocabulary, special tokens included, has the requested size, or earlier when
 *       no pair is left (every word is one symbol); the vocabulary is then smaller.</li>
 * </ol>
 * The result is laid out as {@link BpeVocabulary} describes: bytes, then merges, then the special
 * tokens.
 *
 * <p><b>Ties and determinism.</b> Of pairs with equal counts the one with the smallest
 * {@code (left id, right id)} wins. A pair whose concatenation is already a token (a second route
 * to an existing token, or a special token's text) is never merged; the next pair is taken. The
 * result depends on the word counts alone: not on document order, not on hash order.
 *
 * <p><b>Agreement with the encoder.</b> Because every merge creates a new symbol, the ranks make
 * {@link ByteLevelBpe} (lowest rank first) replay the trainer's merges exactly: encoding a training
 * word gives the segmentation the trainer ended with ({@link BpeTraining#segmentation(String)}).
 *
 * <p><b>Cost.</b> Pair counts are kept incrementally: each pair knows the words it occurs in and a
 * max-heap with lazy invalidation gives the best pair, so a merge costs time in the words it
 * touches, not in the corpus. Memory is a few ints per symbol of the distinct words.
 *
 * <p>Immutable and thread-safe; each {@code train} call works on its own state.
 */
public final class BpeTrainer {

    /** GPT-2's end-of-text token, the default special token. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private static final System.Logger LOG = System.getLogger(BpeTrainer.class.getName());

    private final int vocabularySize;
    private final List<String> specialTokens;

    /** A trainer for {@code vocabularySize} tokens with {@link #END_OF_TEXT} as the one special token. */
    public BpeTrainer(int vocabularySize) {
        this(vocabularySize, List.of(END_OF_TEXT));
    }

    /**
     * A trainer for {@code vocabularySize} tokens, special tokens included.
     *
     * @param specialTokens the special tokens' texts, appended after the merges in this order; the
     *                      first is the end-of-text token (BOS and EOS)
     * @throws IllegalArgumentException if there are no special tokens, one is empty, repeated or the
     *                                  character of a byte, or {@code vocabularySize} is less than 256
     *                                  plus their number
     */
    public BpeTrainer(int vocabularySize, List<String> specialTokens) {
        this.specialTokens = List.copyOf(specialTokens);
        if (this.specialTokens.isEmpty()) {
            throw new IllegalArgumentException("At least one special token (the end-of-text token) is needed");
        }
        Set<String> seen = new HashSet<>();
        for (String s : this.specialTokens) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("A special token's text is empty in " + this.specialTokens);
            }
            if (!seen.add(s)) {
                throw new IllegalArgumentException("Special token '" + s + "' is repeated in " + this.specialTokens);
            }
            if (s.length() == 1 && ByteLevelBpe.charToByte(s.charAt(0)) >= 0) {
                throw new IllegalArgumentException("Special token '" + s + "' is the character of byte " + ByteLevelBpe.charToByte(s.charAt(0)));
            }
        }
        int least = 256 + this.specialTokens.size();
        if (vocabularySize < least) {
            throw new IllegalArgumentException("Vocabulary size %d is below the 256 byte tokens plus %d special token(s) = %d"
                    .formatted(vocabularySize, this.specialTokens.size(), least));
        }
        this.vocabularySize = vocabularySize;
    }

    /** The requested vocabulary size, special tokens included. */
    public int vocabularySize() {
        return vocabularySize;
    }

    /** The special tokens' texts, end-of-text first. */
    public List<String> specialTokens() {
        return specialTokens;
    }

    /**
     * Learns a vocabulary from {@code documents} (plain text each).
     *
     * @throws IllegalArgumentException if the documents hold no word at all
     */
    public BpeVocabulary train(Iterable<? extends CharSequence> documents) {
        WordCounts words = new WordCounts();
        for (CharSequence d : documents) {
            words.addDocument(d);
        }
        return train(words, null).vocabulary();
    }

    /**
     * Learns a vocabulary from counted words.
     *
     * @param words    the corpus as word counts; read, not kept
     * @param progress called on the calling thread after each merge with the number of merges learned
     *                 so far (at most {@code vocabularySize() - 256 - specialTokens().size()}); may be null
     * @throws IllegalArgumentException if {@code words} is empty
     */
    public BpeTraining train(WordCounts words, IntConsumer progress) {
        Objects.requireNonNull(words, "words");
        if (words.distinct() == 0) {
            throw new IllegalArgumentException("Empty corpus: no words to learn a vocabulary from");
        }
        long start = System.nanoTime();
        State s = new State(words);
        int targetSymbols = vocabularySize - specialTokens.size();
        Set<String> existing = new HashSet<>(specialTokens);
        List<String> symbols = new ArrayList<>(targetSymbols);
        for (int b = 0; b < 256; b++) {
            symbols.add(String.valueOf(ByteLevelBpe.byteToChar(b)));
        }
        existing.addAll(symbols);
        List<String> merges = new ArrayList<>(targetSymbols - 256);
        int refused = 0;
        while (symbols.size() < targetSymbols) {
            int pair = s.best();
            if (pair < 0) {
                break;
            }
            int left = (int) (s.pairKey[pair] >>> 32);
            int right = (int) s.pairKey[pair];
            String merged = symbols.get(left) + symbols.get(right);
            s.retire(pair);
            if (!existing.add(merged)) {
                refused++;
                continue;
            }
            s.merge(pair, left, right, symbols.size());
            symbols.add(merged);
            merges.add(symbols.get(left) + " " + symbols.get(right));
            if (progress != null) {
                progress.accept(merges.size());
            }
        }
        List<String> tokens = new ArrayList<>(symbols);
        tokens.addAll(specialTokens);
        List<TokenType> types = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            types.add(i < symbols.size() ? TokenType.NORMAL : TokenType.CONTROL);
        }
        BpeVocabulary vocabulary = new BpeVocabulary(tokens, merges, types, symbols.size());
        LOG.log(System.Logger.Level.DEBUG, () -> "Learned %d of %d merges from %d distinct words (%d in all) in %d ms%s".formatted(
                merges.size(), targetSymbols - 256, words.distinct(), words.total(), (System.nanoTime() - start) / 1_000_000,
                symbols.size() < targetSymbols ? "; the corpus ran out of pairs" : ""));
        if (refused > 0) {
            int r = refused;
            LOG.log(System.Logger.Level.DEBUG, () -> r + " pair(s) not merged because their concatenation was already a token");
        }
        return new BpeTraining(vocabulary, s.words, s.seq, s.len);
    }

    /**
     * The words as symbol arrays, the pair counts, each pair's words and the heap of candidates.
     * Pairs are numbered in order of first appearance; {@code pairKey} is {@code left << 32 | right}.
     */
    private static final class State {
        final String[] words;
        final int[][] seq;
        final int[] len;
        final long[] freq;
        /** When each word was last merged into, to visit it once per merge. */
        final int[] wordStamp;

        final PairTable pairIndex = new PairTable(1 << 11);
        long[] pairKey = new long[1024];
        long[] pairCount = new long[1024];
        int[][] pairWords = new int[1024][];
        int[] pairWordCount = new int[1024];
        boolean[] retired = new boolean[1024];
        int[] pairStamp = new int[1024];
        int pairs;
        int step;

        /** Max-heap of (count, pair): higher count first, then smaller key. */
        long[] heapCount = new long[1024];
        int[] heapPair = new int[1024];
        int heapSize;

        final IntList increased = new IntList();

        State(WordCounts counts) {
            List<String> sorted = counts.words();
            int n = sorted.size();
            words = sorted.toArray(String[]::new);
            seq = new int[n][];
            len = new int[n];
            freq = new long[n];
            wordStamp = new int[n];
            Arrays.fill(wordStamp, -1);
            for (int w = 0; w < n; w++) {
                byte[] utf8 = words[w].getBytes(StandardCharsets.UTF_8);
                int[] s = new int[utf8.length];
                for (int i = 0; i < s.length; i++) {
                    s[i] = utf8[i] & 0xFF;
                }
                seq[w] = s;
                len[w] = s.length;
                freq[w] = counts.count(words[w]);
                for (int i = 0; i + 1 < s.length; i++) {
                    add(s[i], s[i + 1], freq[w], w);
                }
            }
            for (int p = 0; p < pairs; p++) {
                if (pairCount[p] > 0) {
                    push(pairCount[p], p);
                }
            }
            increased.clear();
        }

        /** The pair to merge next, or -1 if none is left; does not remove it. */
        int best() {
            while (heapSize > 0) {
                long c = heapCount[0];
                int p = heapPair[0];
                if (!retired[p] && pairCount[p] == c) {
                    return p;
                }
                pop();
                if (!retired[p] && pairCount[p] > 0) {
                    push(pairCount[p], p); // the count fell since this entry was made
                }
            }
            return -1;
        }

        /** Takes {@code pair} out of the race for good (merged, or refused). */
        void retire(int pair) {
            retired[pair] = true;
        }

        /** Replaces every occurrence of {@code (a, b)} with symbol {@code t} in the words that hold it. */
        void merge(int pair, int a, int b, int t) {
            step++;
            int[] ws = pairWords[pair];
            int nw = pairWordCount[pair];
            for (int k = 0; k < nw; k++) {
                int w = ws[k];
                if (wordStamp[w] == step) {
                    continue;
                }
                wordStamp[w] = step;
                int[] s = seq[w];
                int n = len[w];
                long c = freq[w];
                int out = 0;
                int i = 0;
                while (i < n) {
                    if (i + 1 < n && s[i] == a && s[i + 1] == b) {
                        // [.. L, a, b, R ..] becomes [.. L, t, R ..]; L is already written, R not yet read
                        add(a, b, -c, w);
                        if (out > 0) {
                            add(s[out - 1], a, -c, w);
                            add(s[out - 1], t, c, w);
                        }
                        if (i + 2 < n) {
                            add(b, s[i + 2], -c, w);
                            add(t, s[i + 2], c, w);
                        }
                        s[out++] = t;
                        i += 2;
                    } else {
                        s[out++] = s[i++];
                    }
                }
                len[w] = out;
            }
            pairWords[pair] = null;
            pairWordCount[pair] = 0;
            for (int k = 0; k < increased.size; k++) {
                int p = increased.a[k];
                if (!retired[p] && pairCount[p] > 0) {
                    push(pairCount[p], p);
                }
            }
            increased.clear();
        }

        /** Adds {@code delta} to the count of pair {@code (x, y)}; a rise records word {@code w}. */
        private void add(int x, int y, long delta, int w) {
            long key = ((long) x << 32) | y;
            int p = (int) pairIndex.get(key);
            if (p < 0) {
                p = newPair(key);
            }
            pairCount[p] += delta;
            if (delta > 0) {
                int n = pairWordCount[p];
                int[] list = pairWords[p];
                if (n == 0 || list[n - 1] != w) {
                    if (list == null) {
                        list = pairWords[p] = new int[4];
                    } else if (n == list.length) {
                        list = pairWords[p] = Arrays.copyOf(list, n * 2);
                    }
                    list[n] = w;
                    pairWordCount[p] = n + 1;
                }
                if (pairStamp[p] != step) {
                    pairStamp[p] = step;
                    increased.add(p);
                }
            }
        }

        private int newPair(long key) {
            if (pairs == pairKey.length) {
                int cap = pairs * 2;
                pairKey = Arrays.copyOf(pairKey, cap);
                pairCount = Arrays.copyOf(pairCount, cap);
                pairWords = Arrays.copyOf(pairWords, cap);
                pairWordCount = Arrays.copyOf(pairWordCount, cap);
                retired = Arrays.copyOf(retired, cap);
                pairStamp = Arrays.copyOf(pairStamp, cap);
            }
            int p = pairs++;
            pairKey[p] = key;
            pairStamp[p] = -1;
            pairIndex.put(key, p);
            return p;
        }

        private boolean above(long c1, int p1, long c2, int p2) {
            return c1 > c2 || (c1 == c2 && pairKey[p1] < pairKey[p2]);
        }

        private void push(long c, int p) {
            if (heapSize == heapCount.length) {
                heapCount = Arrays.copyOf(heapCount, heapSize * 2);
                heapPair = Arrays.copyOf(heapPair, heapSize * 2);
            }
            int i = heapSize++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!above(c, p, heapCount[parent], heapPair[parent])) {
                    break;
                }
                heapCount[i] = heapCount[parent];
                heapPair[i] = heapPair[parent];
                i = parent;
            }
            heapCount[i] = c;
            heapPair[i] = p;
        }

        private void pop() {
            int last = --heapSize;
            long c = heapCount[last];
            int p = heapPair[last];
            int i = 0;
            int half = heapSize >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                if (child + 1 < heapSize && above(heapCount[child + 1], heapPair[child + 1], heapCount[child], heapPair[child])) {
                    child++;
                }
                if (!above(heapCount[child], heapPair[child], c, p)) {
                    break;
                }
                heapCount[i] = heapCount[child];
                heapPair[i] = heapPair[child];
                i = child;
            }
            if (heapSize > 0) {
                heapCount[i] = c;
                heapPair[i] = p;
            }
        }
    }

    /** Growable int array. */
    private static final class IntList {
        int[] a = new int[64];
        int size;

        void add(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }

        void clear() {
            size = 0;
        }
    }
}
