package io.gptlens.core.tokenizer;

import java.util.Arrays;

/**
 * Turns text into token ids and back.
 *
 * <p><b>Thread-safety:</b> implementations must be safe for concurrent use by several threads
 * (tokenizing is read-only over the vocabulary). <b>Ownership:</b> a tokenizer that belongs to a
 * loaded model is valid while the model is open; using it after the model is closed throws
 * {@link IllegalStateException}. Arguments are non-null unless said otherwise.
 */
public interface Tokenizer {

    /**
     * Splits {@code text} into token ids.
     *
     * @param addSpecial   add the tokens the vocabulary asks for around a text (e.g. BOS)
     * @param parseSpecial recognise special tokens written in the text (e.g. {@code <s>}); when
     *                     false they are treated as plain text
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * Turns ids back into text.
     *
     * @param removeSpecial  drop the BOS/EOS tokens the vocabulary adds
     * @param unparseSpecial render control tokens as their text (otherwise they produce nothing)
     * @throws IllegalArgumentException if an id is outside {@code [0, vocabularySize())}
     */
    String decode(int[] tokens, boolean removeSpecial, boolean unparseSpecial);

    /**
     * The piece of one token: its bytes and a printable text.
     *
     * @param special render control tokens as text (otherwise their bytes are empty)
     * @throws IllegalArgumentException if the id is outside the vocabulary
     */
    Piece piece(int token, boolean special);

    /** The token's kind. */
    TokenType type(int token);

    /** Number of entries in the vocabulary. */
    int vocabularySize();

    /** The vocabulary's special tokens. */
    SpecialTokens specialTokens();

    /** True if {@code token} ends generation (EOS, EOT and similar). */
    boolean isEndOfGeneration(int token);

    /**
     * The one token whose text is exactly {@code text} ({@code " there"}, {@code ","}): the
     * vocabulary entry of that text (not a byte token, when a character has both), else what {@link #encode}
     * makes of it when that is one token. The entry comes first because encoding is context-blind:
     * a SentencePiece vocabulary encodes {@code ","} as {@code "▁,"} (its dummy prefix) and
     * {@code " there"} as two tokens, though {@code ","} and {@code "▁there"} are entries. Empty when
     * no single token is that text.
     */
    default java.util.OptionalInt tokenOf(String text) {
        int byteToken = -1; // a byte token (<0x2C>) decodes to the same text as its character's own entry, which wins
        for (int id = 0; id < vocabularySize(); id++) {
            if (text.equals(piece(id, true).text())) {
                if (type(id) != TokenType.BYTE) {
                    return java.util.OptionalInt.of(id);
                }
                byteToken = byteToken < 0 ? id : byteToken;
            }
        }
        if (byteToken >= 0) {
            return java.util.OptionalInt.of(byteToken);
        }
        int[] ids = encode(text, false, true);
        return ids.length == 1 ? java.util.OptionalInt.of(ids[0]) : java.util.OptionalInt.empty();
    }

    /** Checks that {@code token} is a valid id, with a message naming the vocabulary size. */
    default void checkToken(int token) {
        if (token < 0 || token >= vocabularySize()) {
            throw new IllegalArgumentException("Token id " + token + " is outside the vocabulary [0, " + vocabularySize() + ")");
        }
    }

    /** Checks every id of {@code tokens}. */
    default void checkTokens(int[] tokens) {
        Arrays.stream(tokens).forEach(this::checkToken);
    }
}
