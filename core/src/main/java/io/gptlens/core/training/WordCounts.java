package io.gptlens.core.training;

import io.gptlens.core.tokenizer.ByteLevelBpe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How often each word of a corpus occurs, a word being one piece of GPT-2's pre-tokenizer
 * ({@link ByteLevelBpe#GPT2_PATTERN}), e.g. {@code " the"}, {@code "'s"} or {@code "\n\n"}. This is
 * all a BPE trainer needs of a corpus: merges never cross a word's edge.
 *
 * <p>Documents are plain text: a special token's text in a document (say {@code <|endoftext|>})
 * is counted as the ordinary words it is made of.
 *
 * <p>Mutable and not thread-safe: fill it on one thread, then hand it to the trainer.
 */
public final class WordCounts {

    private final Map<String, long[]> counts = new HashMap<>();
    private long total;

    /** Adds every word of {@code document}; returns this. */
    public WordCounts addDocument(CharSequence document) {
        ByteLevelBpe.preTokenize(document, word -> increment(word, 1));
        return this;
    }

    /**
     * Adds {@code count} occurrences of {@code word}; returns this.
     *
     * @throws IllegalArgumentException if the word is empty or {@code count < 1}
     */
    public WordCounts add(String word, long count) {
        Objects.requireNonNull(word, "word");
        if (word.isEmpty()) {
            throw new IllegalArgumentException("An empty word cannot be counted");
        }
        if (count < 1) {
            throw new IllegalArgumentException("Count of '" + word + "' must be at least 1, got " + count);
        }
        increment(word, count);
        return this;
    }

    private void increment(String word, long count) {
        counts.computeIfAbsent(word, w -> new long[1])[0] += count;
        total += count;
    }

    /** Occurrences of {@code word}; 0 if it never occurred. */
    public long count(String word) {
        long[] c = counts.get(word);
        return c == null ? 0 : c[0];
    }

    /** Number of distinct words. */
    public int distinct() {
        return counts.size();
    }

    /** Number of words counted, with multiplicity. */
    public long total() {
        return total;
    }

    /** The distinct words in {@link String#compareTo} order (a new, unmodifiable list). */
    public List<String> words() {
        List<String> w = new ArrayList<>(counts.keySet());
        Collections.sort(w);
        return Collections.unmodifiableList(w);
    }
}
