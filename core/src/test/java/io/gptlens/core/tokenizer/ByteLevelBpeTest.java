package io.gptlens.core.tokenizer;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPT-2's byte table and pre-tokenizer against values from GPT-2's published vocabulary and the
 * regex's definition; the merge loop against llama.cpp's algorithm traced by hand on small
 * vocabularies; special tokens against llama.cpp's partition rules.
 */
class ByteLevelBpeTest extends TokenizerContract {

    /** Ids 0..255: the bytes as GPT-2 characters, in byte order. */
    static List<String> byteTokens() {
        List<String> t = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            t.add(String.valueOf(ByteLevelBpe.byteToChar(b)));
        }
        return t;
    }

    static final int G_T = 256;      // "Ġt"
    static final int HE = 257;       // "he"
    static final int G_THE = 258;    // "Ġthe"
    static final int EOT = 259;      // "<|endoftext|>", control
    static final int TOOL = 260;     // "<tool>", user-defined

    /** Bytes, three merges, a control and a user-defined token. */
    static ByteLevelBpe small(boolean addBos) {
        List<String> tokens = byteTokens();
        tokens.addAll(List.of("Ġt", "he", "Ġthe", "<|endoftext|>", "<tool>"));
        List<TokenType> types = new ArrayList<>(Collections.nCopies(259, TokenType.NORMAL));
        types.add(TokenType.CONTROL);
        types.add(TokenType.USER_DEFINED);
        return new ByteLevelBpe(tokens, List.of("Ġ t", "h e", "Ġt he"), types,
                new SpecialTokens(EOT, EOT, -1, -1, '\n', -1), addBos, false);
    }

    @Override
    protected Tokenizer tokenizer() {
        return small(true);
    }

    static int[] bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            ids[i] = b[i] & 0xFF;
        }
        return ids;
    }

    static int[] concat(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
    }

    @Nested
    class ByteTable {
        @Test
        void hasTwoHundredFiftySixDistinctCharactersThatInvert() {
            Set<Character> chars = new HashSet<>();
            for (int b = 0; b < 256; b++) {
                char c = ByteLevelBpe.byteToChar(b);
                chars.add(c);
                assertEquals(b, ByteLevelBpe.charToByte(c));
            }
            assertEquals(256, chars.size());
        }

        @Test
        void matchesGpt2sVocabulary() {
            // values as they appear in GPT-2's encoder.json: printable Latin-1 is itself, the rest from U+0100 in byte order
            assertEquals('\u0120', ByteLevelBpe.byteToChar(' '));   // Ġ
            assertEquals('\u010A', ByteLevelBpe.byteToChar('\n'));  // Ċ
            assertEquals('\u0109', ByteLevelBpe.byteToChar('\t'));  // ĉ
            assertEquals('\u0100', ByteLevelBpe.byteToChar(0));     // Ā
            assertEquals('\u0121', ByteLevelBpe.byteToChar(0x7F));  // ġ
            assertEquals('\u0122', ByteLevelBpe.byteToChar(0x80));  // Ģ
            assertEquals('\u0142', ByteLevelBpe.byteToChar(0xA0));  // ł
            assertEquals('\u0143', ByteLevelBpe.byteToChar(0xAD));  // Ń (soft hyphen)
            assertEquals('a', ByteLevelBpe.byteToChar('a'));
            assertEquals('!', ByteLevelBpe.byteToChar('!'));
            assertEquals('\u00A1', ByteLevelBpe.byteToChar(0xA1));
            assertEquals('\u00FF', ByteLevelBpe.byteToChar(0xFF));
            assertEquals(-1, ByteLevelBpe.charToByte(' '));
            assertEquals(-1, ByteLevelBpe.charToByte('\u0144'));
            assertEquals(-1, ByteLevelBpe.charToByte('€'));
            assertThrows(IllegalArgumentException.class, () -> ByteLevelBpe.byteToChar(256));
            assertThrows(IllegalArgumentException.class, () -> ByteLevelBpe.byteToChar(-1));
        }

        @Test
        void stringsConvertBothWays() {
            byte[] utf8 = "Größe — 🦙\n".getBytes(StandardCharsets.UTF_8);
            String chars = ByteLevelBpe.bytesToChars(utf8);
            assertEquals(utf8.length, chars.length());
            assertArrayEquals(utf8, ByteLevelBpe.charsToBytes(chars));
            assertEquals("ĠtheĊ", ByteLevelBpe.bytesToChars(" the\n".getBytes(StandardCharsets.UTF_8)));
            // a char outside the table stands for its own UTF-8
            assertArrayEquals("x€🦙".getBytes(StandardCharsets.UTF_8), ByteLevelBpe.charsToBytes("x€🦙"));
        }
    }

    @Nested
    class PreTokenizer {
        List<String> pieces(String s) {
            List<String> out = new ArrayList<>();
            ByteLevelBpe.preTokenize(s, out::add);
            return out;
        }

        @Test
        void cutsAsGpt2sPattern() {
            assertEquals(List.of("Hello", ",", " world", "!"), pieces("Hello, world!"));
            assertEquals(List.of("I", "'m", " here", "'s", " it"), pieces("I'm here's it"));
            assertEquals(List.of("The", " 12345678", " apples"), pieces("The 12345678 apples")); // no digit limit in GPT-2
            // whitespace before a word leaves its last space to the word; a final run stays whole
            assertEquals(List.of("a", "  ", " b", "   "), pieces("a   b   "));
            assertEquals(List.of("a", "\n", "\n", "b"), pieces("a\n\nb"));
            assertEquals(List.of("x", " \t", "\n", "y"), pieces("x \t\ny"));
            // the curly apostrophe is not a contraction; emoji and punctuation stick together
            assertEquals(List.of("don", "’", "t", " 🦙!"), pieces("don’t 🦙!"));
            assertEquals(List.of("café", " —", " “", "é", "”"), pieces("café — “é”"));
            // (?U): an ideographic space is whitespace, as in llama.cpp
            assertEquals(List.of("a", "\u3000", "b"), pieces("a\u3000b"));
        }
    }

    @Nested
    class Merging {
        @Test
        void lowestRankFirstThenTheVocabularyIds() {
            ByteLevelBpe t = small(false);
            assertArrayEquals(new int[]{G_THE}, t.encode(" the", false, false));
            assertArrayEquals(new int[]{'t', HE}, t.encode("the", false, false));
            assertArrayEquals(new int[]{G_THE, G_THE}, t.encode(" the the", false, false));
            assertArrayEquals(new int[]{HE, 'l', 'l', 'o'}, t.encode("hello", false, false));
            assertArrayEquals(bytes("é 🦙"), t.encode("é 🦙", false, false));
            assertArrayEquals(new int[0], t.encode("", false, false));
        }

        /** Tokens a, b, ab, aba; merges "ab a" (rank 0) before "a b" (rank 1). */
        @Test
        void aPairMadeByAMergeIsTakenAtItsRankAsLlamaCppDoes() {
            List<String> tokens = byteTokens();
            tokens.addAll(List.of("ab", "aba"));
            ByteLevelBpe t = new ByteLevelBpe(tokens, List.of("ab a", "a b"), Collections.nCopies(258, TokenType.NORMAL),
                    new SpecialTokens(-1, -1, -1, -1, -1, -1), false, false);
            // a b a b: (a,b)@0 -> ab a b; now (ab,a) has rank 0 -> aba b. Merging every "a b" at once would give ab ab.
            assertArrayEquals(new int[]{257, 'b'}, t.encode("abab", false, false));
            assertArrayEquals(new int[]{256}, t.encode("ab", false, false));
        }

        @Test
        void equalPairsMergeLeftmostFirst() {
            List<String> tokens = byteTokens();
            tokens.add("aa");
            ByteLevelBpe t = new ByteLevelBpe(tokens, List.of("a a"), Collections.nCopies(257, TokenType.NORMAL),
                    new SpecialTokens(-1, -1, -1, -1, -1, -1), false, false);
            assertArrayEquals(new int[]{256, 'a'}, t.encode("aaa", false, false));
            assertArrayEquals(new int[]{256, 256}, t.encode("aaaa", false, false));
            assertArrayEquals(new int[]{256, 256, 'a'}, t.encode("aaaaa", false, false));
        }

        /** Merges through "ab", which is not a token: the result counts, a leftover falls back to its characters. */
        @Test
        void anIntermediateSymbolNeedNotBeAToken() {
            List<String> tokens = byteTokens();
            tokens.add("abc");
            ByteLevelBpe t = new ByteLevelBpe(tokens, List.of("a b", "ab c"), Collections.nCopies(257, TokenType.NORMAL),
                    new SpecialTokens(-1, -1, -1, -1, -1, -1), false, false);
            assertArrayEquals(new int[]{256}, t.encode("abc", false, false));
            assertArrayEquals(new int[]{'a', 'b'}, t.encode("ab", false, false));
        }

        @Test
        void repeatedMergesKeepTheirFirstRank() {
            List<String> tokens = byteTokens();
            tokens.addAll(List.of("ab", "bc"));
            // "b c" first, "a b" second, then "b c" again (ignored): abc -> a bc
            ByteLevelBpe t = new ByteLevelBpe(tokens, List.of("b c", "a b", "b c"), Collections.nCopies(258, TokenType.NORMAL),
                    new SpecialTokens(-1, -1, -1, -1, -1, -1), false, false);
            assertArrayEquals(new int[]{'a', 257}, t.encode("abc", false, false));
        }

        @Test
        void concurrentEncodingEqualsSequential() throws Exception {
            ByteLevelBpe t = small(false);
            List<String> texts = new ArrayList<>();
            java.util.Random r = new java.util.Random(7);
            for (int i = 0; i < 400; i++) {
                StringBuilder sb = new StringBuilder();
                for (int j = 0; j < 30; j++) {
                    sb.append(List.of(" the", "the", " then", "he", "é", " 🦙", "\n", "  ", "x" + r.nextInt(100)).get(r.nextInt(9)));
                }
                texts.add(sb.toString());
            }
            List<int[]> expected = texts.stream().map(s -> small(false).encode(s, false, false)).toList();
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                List<Future<List<int[]>>> futures = new ArrayList<>();
                for (int k = 0; k < 4; k++) {
                    futures.add(pool.submit(() -> texts.stream().map(s -> t.encode(s, false, false)).toList()));
                }
                for (Future<List<int[]>> f : futures) {
                    List<int[]> got = f.get();
                    for (int i = 0; i < texts.size(); i++) {
                        assertArrayEquals(expected.get(i), got.get(i), texts.get(i));
                    }
                }
            }
        }
    }

    @Nested
    class Special {
        @Test
        void controlTextIsATokenOnlyWhenParsingSpecial() {
            ByteLevelBpe t = small(false);
            String s = " the<|endoftext|>the";
            assertArrayEquals(new int[]{G_THE, EOT, 't', HE}, t.encode(s, false, true));
            assertArrayEquals(concat(new int[]{G_THE}, bytes("<|"), new int[]{'e', 'n', 'd', 'o', 'f', 't', 'e', 'x', 't'}, bytes("|>"),
                    new int[]{'t', HE}), t.encode(s, false, false));
        }

        @Test
        void userDefinedTextIsATokenEitherWay() {
            ByteLevelBpe t = small(false);
            // as llama.cpp: user-defined tokens are matched even when parse_special is false
            assertArrayEquals(new int[]{'a', TOOL, G_THE}, t.encode("a<tool> the", false, false));
            assertArrayEquals(new int[]{'a', TOOL, G_THE}, t.encode("a<tool> the", false, true));
        }

        @Test
        void longerSpecialTextsWinAndEveryOccurrenceIsCut() {
            List<String> tokens = byteTokens();
            tokens.addAll(List.of("<s>", "<s><s>"));
            ByteLevelBpe t = new ByteLevelBpe(tokens, List.of(), concatTypes(256, TokenType.CONTROL, TokenType.CONTROL),
                    new SpecialTokens(256, -1, -1, -1, -1, -1), false, false);
            assertArrayEquals(new int[]{257, 256, 'x', 257}, t.encode("<s><s><s>x<s><s>", false, true));
            assertArrayEquals(new int[]{256}, t.encode("<s>", false, true));
        }

        @Test
        void bosIsAddedWhenTheVocabularySaysSoAndRemovedOnRequest() {
            ByteLevelBpe with = small(true);
            ByteLevelBpe without = small(false);
            assertArrayEquals(new int[]{EOT, G_THE}, with.encode(" the", true, false));
            assertArrayEquals(new int[]{G_THE}, with.encode(" the", false, false));
            assertArrayEquals(new int[]{G_THE}, without.encode(" the", true, false));
            int[] ids = {EOT, G_THE, EOT};
            assertEquals(" the<|endoftext|>", with.decode(ids, true, true));
            assertEquals("<|endoftext|> the<|endoftext|>", with.decode(ids, false, true));
            assertEquals(" the", with.decode(ids, false, false));
            assertEquals("", with.piece(EOT, false).text());
            assertEquals("<|endoftext|>", with.piece(EOT, true).text());
            assertEquals("<tool>", with.piece(TOOL, false).text());
            assertEquals(" the", with.piece(G_THE, false).text());
            assertEquals(TokenType.CONTROL, with.type(EOT));
            assertTrue(with.isEndOfGeneration(EOT));
            assertFalse(with.isEndOfGeneration(G_THE));
        }

        private static List<TokenType> concatTypes(int normals, TokenType... rest) {
            List<TokenType> t = new ArrayList<>(Collections.nCopies(normals, TokenType.NORMAL));
            t.addAll(List.of(rest));
            return t;
        }
    }

    @Test
    void decodeInvertsEncodeOnAnyText() {
        ByteLevelBpe t = small(false);
        for (String s : List.of("It’s — “quoted” café, naïve 🦙🦙 👩‍👩‍👧\n\n  tabs\t\there   \r\n end  ", " the the\n", "\u0000\u007f\u00ad")) {
            assertEquals(s, t.decode(t.encode(s, false, false), false, false));
            assertEquals(s, t.decode(t.encode(s, false, true), false, true));
        }
    }

    @Test
    void badVocabulariesAreRefusedWithTheirFault() {
        SpecialTokens none = new SpecialTokens(-1, -1, -1, -1, -1, -1);
        List<TokenType> types = Collections.nCopies(256, TokenType.NORMAL);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ByteLevelBpe(List.of(), List.of(), List.of(), none, false, false))
                .getMessage().contains("Empty vocabulary"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ByteLevelBpe(byteTokens(), List.of(), types.subList(0, 10), none, false, false))
                .getMessage().contains("10 token types for 256 tokens"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ByteLevelBpe(byteTokens(), List.of("ab"), types, none, false, false))
                .getMessage().contains("Merge 0 is not 'left right': 'ab'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ByteLevelBpe(byteTokens(), List.of(), types, none, true, false))
                .getMessage().contains("no BOS token"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new ByteLevelBpe(byteTokens(), List.of(), types, new SpecialTokens(300, -1, -1, -1, -1, -1), false, false))
                .getMessage().contains("Special token id 300 is outside the vocabulary [0, 256)"));
    }
}
