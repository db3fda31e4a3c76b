package io.gptlens.core.embedding;

import io.gptlens.core.tokenizer.Piece;
import io.gptlens.core.tokenizer.TokenType;
import io.gptlens.core.tokenizer.Tokenizer;

/**
 * What kind of text a token is, for filters: special (control/unused/unknown), a raw byte, the
 * start of a word, alphabetic, numeric.
 *
 * @param special   control, unused or unknown token
 * @param byteToken a single raw byte
 * @param wordStart begins a word: its text starts with a space, or (word-piece vocabularies) it is
 *                  not a {@code ##} continuation
 * @param alphabetic letters only (ignoring a leading space)
 * @param numeric   digits only (ignoring a leading space)
 * @param text      the piece's text
 */
public record TokenFlags(boolean special, boolean byteToken, boolean wordStart, boolean alphabetic, boolean numeric, String text) {

    /** The flags of {@code token}. */
    public static TokenFlags of(Tokenizer t, int token, boolean wordPiece) {
        TokenType type = t.type(token);
        Piece p = t.piece(token, true);
        String text = p.text();
        boolean special = type == TokenType.CONTROL || type == TokenType.UNUSED || type == TokenType.UNKNOWN;
        boolean b = type == TokenType.BYTE;
        String core = text.strip();
        boolean wordStart = !special && !b && (wordPiece ? !text.startsWith("##") : text.startsWith(" "));
        boolean alpha = !core.isEmpty() && core.codePoints().allMatch(Character::isLetter);
        boolean num = !core.isEmpty() && core.codePoints().allMatch(Character::isDigit);
        return new TokenFlags(special, b, wordStart, alpha && !special, num && !special, text);
    }
}
