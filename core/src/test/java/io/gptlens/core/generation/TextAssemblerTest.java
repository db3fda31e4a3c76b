package io.gptlens.core.generation;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextAssemblerTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void holdsBackASplitUtf8Character() {
        TextAssembler t = new TextAssembler(List.of());
        byte[] llama = b("🦙"); // 4 bytes, arriving as byte tokens
        assertEquals("a", t.add(new byte[]{'a', llama[0]}));
        assertEquals("", t.add(new byte[]{llama[1], llama[2]}));
        assertEquals("🦙b", t.add(new byte[]{llama[3], 'b'}));
        assertEquals("a🦙b", t.text());
    }

    @Test
    void findsAStopStringAcrossTokensAndNeverEmitsIt() {
        TextAssembler t = new TextAssembler(List.of("END"));
        StringBuilder out = new StringBuilder();
        out.append(t.add(b("Hello E")));
        assertEquals("Hello ", out.toString()); // "E" may start the stop string
        out.append(t.add(b("N")));
        assertFalse(t.stopped());
        out.append(t.add(b("D and more")));
        assertTrue(t.stopped());
        assertEquals("Hello ", out.toString());
        assertEquals("Hello ", t.text());
        assertEquals("", t.flush());
    }

    @Test
    void releasesAHeldPrefixThatTurnsOutNotToBeAStop() {
        TextAssembler t = new TextAssembler(List.of("\n\n"));
        assertEquals("a", t.add(b("a\n")));
        assertEquals("\nb", t.add(b("b")));
        assertEquals("a\nb", t.text());
        assertEquals("", t.flush());
    }

    @Test
    void flushTurnsAnUnfinishedCharacterIntoAReplacement() {
        TextAssembler t = new TextAssembler(List.of());
        assertEquals("x", t.add(new byte[]{'x', (byte) 0xE2}));
        assertEquals("\uFFFD", t.flush());
    }

    @Test
    void completePrefix() {
        assertEquals(0, TextAssembler.completePrefix(new byte[]{(byte) 0xF0, (byte) 0x9F}));
        assertEquals(1, TextAssembler.completePrefix(new byte[]{'a', (byte) 0xC3}));
        assertEquals(3, TextAssembler.completePrefix(b("aé")));
    }
}
