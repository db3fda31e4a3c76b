package io.gptlens.core.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * What one token stands for: its raw bytes (which need not be valid UTF-8 on their own, since a
 * character can span several byte tokens) and a display text that is always printable.
 *
 * @param bytes the bytes the token decodes to (a copy is kept)
 * @param text  a display form: the UTF-8 text where the bytes are valid UTF-8, otherwise each byte
 *              as {@code <0xNN>}
 */
public record Piece(byte[] bytes, String text) {

    public Piece {
        bytes = bytes.clone();
    }

    /** The bytes (a copy). */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** A piece whose display text is derived from its bytes. */
    public static Piece of(byte[] bytes) {
        return new Piece(bytes, display(bytes));
    }

    /** The UTF-8 text if {@code bytes} are valid UTF-8, otherwise {@code <0xNN>} per byte. */
    public static String display(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            return decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            StringBuilder sb = new StringBuilder();
            HexFormat hex = HexFormat.of().withUpperCase();
            for (byte b : bytes) {
                sb.append("<0x").append(hex.toHexDigits(b)).append('>');
            }
            return sb.toString();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Piece p && Arrays.equals(p.bytes, bytes) && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
