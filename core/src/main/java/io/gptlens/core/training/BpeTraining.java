package io.gptlens.core.training;

import java.util.Arrays;
import java.util.List;

/**
 * The outcome of {@link BpeTrainer#train(WordCounts, java.util.function.IntConsumer)}: the learned
 * vocabulary and how the trainer left each distinct training word, which is how
 * {@link BpeVocabulary#tokenizer()} encodes that word.
 *
 * <p>Immutable and thread-safe.
 */
public final class BpeTraining {

    private final BpeVocabulary vocabulary;
    private final String[] words;
    private final int[][] segments;

    BpeTraining(BpeVocabulary vocabulary, String[] sortedWords, int[][] seq, int[] len) {
        this.vocabulary = vocabulary;
        this.words = sortedWords;
        this.segments = new int[seq.length][];
        for (int w = 0; w < seq.length; w++) {
            segments[w] = Arrays.copyOf(seq[w], len[w]);
        }
    }

    /** The learned vocabulary. */
    public BpeVocabulary vocabulary() {
        return vocabulary;
    }

    /** The distinct training words in {@link String#compareTo} order. */
    public List<String> words() {
        return List.of(words);
    }

    /**
     * The token ids the trainer ended with for a training word.
     *
     * @throws IllegalArgumentException if {@code word} was not a word of the corpus
     */
    public int[] segmentation(String word) {
        int w = Arrays.binarySearch(words, word);
        if (w < 0) {
            throw new IllegalArgumentException("'" + word + "' is not one of the " + words.length + " training words");
        }
        return segments[w].clone();
    }
}
