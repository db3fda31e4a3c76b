package io.gptlens.core.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenDisplayTest {

    private static Piece p(String s) {
        return Piece.of(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void whitespaceIsVisible() {
        assertEquals("␣Once", TokenDisplay.label(p(" Once"), TokenType.NORMAL));
        assertEquals("↵↵", TokenDisplay.label(p("\n\n"), TokenType.NORMAL));
        assertEquals("⇥x\\u{7}", TokenDisplay.label(p("\tx\u0007"), TokenType.NORMAL));
    }

    @Test
    void byteControlAndEmptyTokens() {
        assertEquals("<0x0A>", TokenDisplay.label(Piece.of(new byte[]{10}), TokenType.BYTE));
        assertEquals("<0xE2>", TokenDisplay.label(Piece.of(new byte[]{(byte) 0xE2}), TokenType.BYTE));
        assertEquals("<s>", TokenDisplay.label(p("<s>"), TokenType.CONTROL));
        assertEquals("∅", TokenDisplay.label(p(""), TokenType.CONTROL));
        assertEquals("<script>", TokenDisplay.label(p("<script>"), TokenType.NORMAL)); // escaping is the view's job
        assertEquals("20 4f", TokenDisplay.hex(p(" O")));
    }
}
