package io.gptlens.core.tokenizer;

/**
 * How a token is shown to a person: whitespace made visible (space as {@code ␣}, newline as
 * {@code ↵}, tab as {@code ⇥}, other control characters as {@code \\u{..}}), byte tokens as
 * {@code <0xNN>}, control tokens by their text (e.g. {@code <s>}), an empty piece as {@code ∅}.
 * Stateless; the result is plain text that a view must still escape.
 */
public final class TokenDisplay {

    private TokenDisplay() {
    }

    /**
     * The visible label of a token.
     *
     * @param piece the token's piece rendered with special tokens shown ({@code Tokenizer.piece(id, true)})
     * @param type  the token's type
     */
    public static String label(Piece piece, TokenType type) {
        byte[] b = piece.bytes();
        if (type == TokenType.BYTE && b.length == 1) {
            return "<0x%02X>".formatted(b[0] & 0xFF);
        }
        String text = piece.text();
        if (text.isEmpty()) {
            return "∅";
        }
        if (type == TokenType.CONTROL) {
            return text;
        }
        return visible(text);
    }

    /** {@code text} with whitespace and control characters made visible. */
    public static String visible(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 4);
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case ' ' -> sb.append('␣');
                case '\n' -> sb.append('↵');
                case '\r' -> sb.append('␍');
                case '\t' -> sb.append('⇥');
                default -> {
                    if (Character.isISOControl(cp)) {
                        sb.append("\\u{").append(Integer.toHexString(cp)).append('}');
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        return sb.toString();
    }

    /** The bytes of a piece as hex, e.g. {@code "20 4f 6e 63 65"}. */
    public static String hex(Piece piece) {
        StringBuilder sb = new StringBuilder();
        for (byte x : piece.bytes()) {
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append("%02x".formatted(x & 0xFF));
        }
        return sb.toString();
    }
}
