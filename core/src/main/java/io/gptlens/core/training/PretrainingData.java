package io.gptlens.core.training;

import io.gptlens.core.tokenizer.ByteLevelBpe;

import java.util.List;
import java.util.function.Consumer;

/**
 * A corpus made ready for pre-training: validation documents held out, a byte-level BPE
 * vocabulary learned on the training documents only, every document tokenized and the streams
 * cut into windows. Each document is preceded by {@code <|endoftext|>} (the vocabulary's BOS), so
 * the model learns how texts begin and a prompt that starts with BOS is in distribution.
 *
 * @param vocabulary  the learned tokenizer
 * @param train       the training token stream
 * @param validation  the held-out token stream
 * @param tokenBytes  UTF-8 bytes of each token id (0 for control tokens)
 * @param trainBytes  UTF-8 bytes of the training text
 * @param validationBytes UTF-8 bytes of the held-out text
 * @param validationDocuments how many documents are held out
 */
public record PretrainingData(BpeVocabulary vocabulary, int[] train, int[] validation, int[] tokenBytes, long trainBytes,
                              long validationBytes, int validationDocuments) {

    /** Every how many documents one is held out for validation. */
    public static final int HOLD_OUT_EVERY = 20;

    /**
     * Prepares {@code corpus} for a vocabulary of {@code vocabularySize} tokens.
     *
     * @param progress receives a line of what is being done (may be a no-op)
     */
    public static PretrainingData prepare(Corpus corpus, int vocabularySize, Consumer<String> progress) {
        Corpus.Split split = corpus.split(HOLD_OUT_EVERY);
        progress.accept("learning a " + vocabularySize + "-token BPE vocabulary from " + split.train().documents().size() + " documents");
        BpeVocabulary vocab = new BpeTrainer(vocabularySize).train(split.train().documents().stream().map(Corpus.Document::text).toList());
        progress.accept("tokenizing " + (split.train().bytes() + split.validation().bytes()) + " bytes");
        ByteLevelBpe bpe = vocab.tokenizer();
        int[] train = stream(bpe, vocab.endOfText(), split.train().documents());
        int[] val = stream(bpe, vocab.endOfText(), split.validation().documents());
        int[] bytes = new int[vocab.size()];
        for (int t = 0; t < bytes.length; t++) {
            bytes[t] = bpe.piece(t, false).bytes().length;
        }
        return new PretrainingData(vocab, train, val, bytes, split.train().bytes(), split.validation().bytes(),
                split.validation().documents().size());
    }

    /** The documents' tokens, each document after an end-of-text token. Tokenized in parallel. */
    static int[] stream(ByteLevelBpe bpe, int endOfText, List<Corpus.Document> docs) {
        List<int[]> parts = docs.parallelStream().map(d -> bpe.encode(d.text(), false, false)).toList();
        int n = 0;
        for (int[] p : parts) {
            n += p.length + 1;
        }
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            out[at++] = endOfText;
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** The training windows of {@code window} tokens. */
    public TokenWindows trainWindows(int window) {
        return TokenWindows.cut(train, window);
    }

    /** The validation windows of {@code window} tokens. */
    public TokenWindows validationWindows(int window) {
        return TokenWindows.cut(validation, window);
    }

    /** The data of a training run with windows of {@code window} tokens. */
    public TrainingRun.Data runData(int window) {
        return new TrainingRun.Data(trainWindows(window), validationWindows(window), tokenBytes);
    }

    /** Bits per byte of the held-out text under a unigram model of the training tokens. */
    public double unigramBitsPerByte() {
        return NgramBaseline.unigramBitsPerByte(train, validation, vocabulary.size(), tokenBytes);
    }

    /** Bits per byte of the held-out text under a bigram model of the training tokens. */
    public double bigramBitsPerByte() {
        return NgramBaseline.bigramBitsPerByte(train, validation, vocabulary.size(), tokenBytes);
    }
}
