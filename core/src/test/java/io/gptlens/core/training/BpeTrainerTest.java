package io.gptlens.core.training;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufValue;
import io.gptlens.core.gguf.GgufValueType;
import io.gptlens.core.gguf.GgufWriter;
import io.gptlens.core.tokenizer.ByteLevelBpe;
import io.gptlens.core.tokenizer.TokenType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast trainer against a naive reference written here (recount every pair before every merge,
 * same tie rule), against merges worked out by hand, and against {@link ByteLevelBpe}.
 */
class BpeTrainerTest {

    @TempDir
    Path dir;

    // ---- the naive reference ----

    /** What the naive trainer learned: merges ("left right") and each word's final symbols. */
    record Naive(List<String> merges, Map<String, List<Integer>> segments) {
    }

    /**
     * Textbook BPE: before each merge count every adjacent pair of every word (times the word's
     * count); take the highest count, ties to the smallest (left id, right id); skip a pair whose
     * concatenation is already a token; rewrite every word left to right.
     */
    static Naive naive(Map<String, Long> counts, int vocabularySize, List<String> specials) {
        List<String> symbols = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            symbols.add(String.valueOf(ByteLevelBpe.byteToChar(b)));
        }
        Set<String> existing = new HashSet<>(symbols);
        existing.addAll(specials);
        Map<String, List<Integer>> words = new HashMap<>();
        for (String w : counts.keySet()) {
            List<Integer> s = new ArrayList<>();
            for (byte b : w.getBytes(StandardCharsets.UTF_8)) {
                s.add(b & 0xFF);
            }
            words.put(w, s);
        }
        Set<List<Integer>> refused = new HashSet<>();
        List<String> merges = new ArrayList<>();
        while (symbols.size() < vocabularySize - specials.size()) {
            Map<List<Integer>, Long> pairCounts = new HashMap<>();
            for (var e : words.entrySet()) {
                List<Integer> s = e.getValue();
                for (int i = 0; i + 1 < s.size(); i++) {
                    pairCounts.merge(List.of(s.get(i), s.get(i + 1)), counts.get(e.getKey()), Long::sum);
                }
            }
            List<Integer> best = null;
            long bestCount = 0;
            for (var e : pairCounts.entrySet()) {
                List<Integer> p = e.getKey();
                if (refused.contains(p)) {
                    continue;
                }
                long c = e.getValue();
                boolean smaller = best != null && (p.get(0) < best.get(0) || (p.get(0).equals(best.get(0)) && p.get(1) < best.get(1)));
                if (c > bestCount || (c == bestCount && smaller)) {
                    best = p;
                    bestCount = c;
                }
            }
            if (best == null) {
                break;
            }
            String merged = symbols.get(best.get(0)) + symbols.get(best.get(1));
            if (!existing.add(merged)) {
                refused.add(best);
                continue;
            }
            int t = symbols.size();
            symbols.add(merged);
            merges.add(symbols.get(best.get(0)) + " " + symbols.get(best.get(1)));
            for (var e : words.entrySet()) {
                List<Integer> s = e.getValue();
                List<Integer> out = new ArrayList<>();
                for (int i = 0; i < s.size(); i++) {
                    if (i + 1 < s.size() && s.get(i).equals(best.get(0)) && s.get(i + 1).equals(best.get(1))) {
                        out.add(t);
                        i++;
                    } else {
                        out.add(s.get(i));
                    }
                }
                e.setValue(out);
            }
        }
        return new Naive(merges, words);
    }

    static Map<String, Long> counted(List<String> documents) {
        Map<String, Long> counts = new HashMap<>();
        for (String d : documents) {
            ByteLevelBpe.preTokenize(d, w -> counts.merge(w, 1L, Long::sum));
        }
        return counts;
    }

    static WordCounts words(List<String> documents) {
        WordCounts w = new WordCounts();
        documents.forEach(w::addDocument);
        return w;
    }

    // ---- corpora ----

    static final List<String> PROSE = List.of(
            "The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs.\n\n",
            "It’s a truth universally acknowledged — “that a single man in possession of a good fortune, must be in want of a wife.”\n",
            "Café, naïve, façade, résumé: the the the then there these those.  Numbers 1789 1790 1791 and 2024!\n",
            "Emoji 🦙🦙 and 👩‍👩‍👧 live here too;\ttabs\tand   spaces   and\r\nnewlines.\n");

    /** A few thousand words: a seeded Zipf-like draw from word types over a small alphabet with accents, digits and punctuation. */
    static List<String> generated(long seed, int documents, int wordsPerDocument) {
        Random r = new Random(seed);
        String alphabet = "etaoinshrdlucmfwypvbgkjqxzéü’";
        List<String> types = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            int len = 1 + r.nextInt(8);
            StringBuilder w = new StringBuilder();
            for (int j = 0; j < len; j++) {
                w.append(alphabet.charAt(Math.min(alphabet.length() - 1, (int) (Math.abs(r.nextGaussian()) * 8))));
            }
            types.add(w.toString());
        }
        List<String> docs = new ArrayList<>();
        for (int d = 0; d < documents; d++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < wordsPerDocument; i++) {
                int rank = (int) Math.min(types.size() - 1, Math.floor(Math.exp(r.nextDouble() * Math.log(types.size()))) - 1);
                if (i > 0) {
                    sb.append(r.nextInt(20) == 0 ? "\n" : r.nextInt(30) == 0 ? "  " : " ");
                }
                sb.append(types.get(rank));
                if (r.nextInt(15) == 0) {
                    sb.append(List.of(".", ",", "!", "?!", "'s", " 42", " 2024").get(r.nextInt(7)));
                }
            }
            docs.add(sb.toString());
        }
        return docs;
    }

    // ---- the tests ----

    @Test
    void theFirstMergesOfSennrichsExampleAreTheOnesWorkedOutByHand() {
        WordCounts w = new WordCounts().add("low", 5).add("lower", 2).add("newest", 6).add("widest", 3);
        BpeVocabulary v = new BpeTrainer(256 + 4 + 1).train(w, null).vocabulary();
        // e s: 6+3 = 9 ties s t: 9, (e,s) has the smaller ids; then es t: 9; then l o: 7 ties o w: 7; then lo w: 7
        assertEquals(List.of("e s", "es t", "l o", "lo w"), v.merges());
        assertEquals(List.of("es", "est", "lo", "low", "<|endoftext|>"), v.tokens().subList(256, 261));
    }

    @Test
    void fastTrainerLearnsTheNaiveReferencesMerges() {
        List<List<String>> corpora = List.of(PROSE, List.of("aaaa aaa aa a aaaaa abab ababab baba"), generated(1, 40, 100));
        for (List<String> corpus : corpora) {
            for (int size : new int[]{257, 300, 600}) {
                Naive expected = naive(counted(corpus), size, List.of(BpeTrainer.END_OF_TEXT));
                BpeTraining got = new BpeTrainer(size).train(words(corpus), null);
                assertEquals(expected.merges(), got.vocabulary().merges(), "merges at size " + size + " on " + corpus.getFirst());
                for (String word : got.words()) {
                    assertArrayEquals(expected.segments().get(word).stream().mapToInt(Integer::intValue).toArray(), got.segmentation(word), word);
                }
            }
        }
    }

    @Test
    void aLargerGeneratedCorpusAgreesWithTheReferenceToo() {
        List<String> corpus = generated(99, 60, 100); // 6000 words
        Naive expected = naive(counted(corpus), 1024, List.of(BpeTrainer.END_OF_TEXT));
        BpeVocabulary got = new BpeTrainer(1024).train(corpus);
        assertEquals(expected.merges(), got.merges());
    }

    @Test
    void theVocabularyIsBytesThenMergesThenSpecials() {
        List<String> specials = List.of("<|endoftext|>", "<|pad|>");
        BpeVocabulary v = new BpeTrainer(400, specials).train(PROSE);
        assertEquals(400, v.size());
        assertEquals(400 - 256 - 2, v.merges().size());
        for (int b = 0; b < 256; b++) {
            assertEquals(String.valueOf(ByteLevelBpe.byteToChar(b)), v.tokens().get(b));
        }
        for (int i = 0; i < v.merges().size(); i++) {
            assertEquals(v.merges().get(i).replace(" ", ""), v.tokens().get(256 + i), "token of merge " + i);
            assertEquals(TokenType.NORMAL, v.types().get(256 + i));
        }
        assertEquals(List.of("<|endoftext|>", "<|pad|>"), v.tokens().subList(398, 400));
        assertEquals(List.of(TokenType.CONTROL, TokenType.CONTROL), v.types().subList(398, 400));
        assertEquals(398, v.endOfText());
        assertEquals(398, v.specialTokens().bos());
        assertEquals(398, v.specialTokens().eos());
        assertEquals('\n', v.specialTokens().nl());
    }

    @Test
    void theSameCorpusInAnyOrderGivesTheSameVocabulary() {
        List<String> corpus = generated(5, 30, 100);
        BpeVocabulary first = new BpeTrainer(700).train(corpus);
        assertEquals(first, new BpeTrainer(700).train(corpus));
        List<String> shuffled = new ArrayList<>(corpus);
        Collections.shuffle(shuffled, new Random(3));
        assertNotEquals(corpus, shuffled);
        assertEquals(first, new BpeTrainer(700).train(shuffled));
        // the same counts added word by word, in reverse order
        Map<String, Long> counts = new LinkedHashMap<>(counted(corpus));
        List<String> keys = new ArrayList<>(counts.keySet());
        Collections.reverse(keys);
        WordCounts byWord = new WordCounts();
        keys.forEach(k -> byWord.add(k, counts.get(k)));
        assertEquals(first, new BpeTrainer(700).train(byWord, null).vocabulary());
    }

    @Test
    void encodingATrainingWordGivesTheTrainersSegmentation() {
        for (List<String> corpus : List.of(PROSE, generated(11, 50, 100))) {
            BpeTraining t = new BpeTrainer(900).train(words(corpus), null);
            ByteLevelBpe tokenizer = t.vocabulary().tokenizer();
            for (String word : t.words()) {
                assertArrayEquals(t.segmentation(word), tokenizer.encode(word, false, false), word);
            }
        }
    }

    @Test
    void aLearnedTokenizerRoundTripsAnyText() {
        ByteLevelBpe t = new BpeTrainer(600).train(PROSE).tokenizer();
        for (String s : List.of("It’s — “new” text: é, ü, ß, 日本語, 🦙 and 👩‍👩‍👧.\n\n\n   indented\n\ttab  end   ",
                "The quick brown fox", "\r\n\r\n", "  ", "x")) {
            int[] ids = t.encode(s, false, false);
            assertEquals(s, t.decode(ids, false, false));
        }
        int[] fox = t.encode("The quick brown fox", false, false);
        assertTrue(fox.length < "The quick brown fox".length(), "merges shorten a text seen in training: " + fox.length);
    }

    @Test
    void endOfTextIsOneTokenWhenParsedAndBytesOtherwise() {
        BpeVocabulary v = new BpeTrainer(500).train(PROSE);
        ByteLevelBpe t = v.tokenizer();
        int eot = v.endOfText();
        int[] parsed = t.encode("the fox<|endoftext|>The dog", false, true);
        assertEquals(1, IntStream.of(parsed).filter(id -> id == eot).count());
        int[] plain = t.encode("the fox<|endoftext|>The dog", false, false);
        assertEquals(0, IntStream.of(plain).filter(id -> id == eot).count());
        assertArrayEquals(IntStream.concat(IntStream.concat(IntStream.of(t.encode("the fox", false, false)), IntStream.of(eot)),
                IntStream.of(t.encode("The dog", false, false))).toArray(), parsed);
        assertEquals("the fox<|endoftext|>The dog", t.decode(plain, false, false));
        assertEquals("the foxThe dog", t.decode(parsed, false, false));
        assertEquals(eot, t.encode("x", true, false)[0]);
        assertEquals(2, t.encode("x", true, false).length);
    }

    @Test
    void aPairThatWouldRemakeASpecialTokenIsNotMerged() {
        List<String> specials = List.of("<|endoftext|>", "ab");
        WordCounts w = new WordCounts().add("ab", 10).add("cd", 5).add("abcd", 1);
        BpeTraining t = new BpeTrainer(256 + 2 + 2, specials).train(w, null);
        assertEquals(naive(Map.of("ab", 10L, "cd", 5L, "abcd", 1L), 260, specials).merges(), t.vocabulary().merges());
        assertEquals(List.of("c d", "b cd"), t.vocabulary().merges());
    }

    @Test
    void aSmallCorpusRunsOutOfPairsAndStopsEarly() {
        List<Integer> seen = new ArrayList<>();
        BpeTraining t = new BpeTrainer(5000).train(new WordCounts().addDocument("ab ab abc"), seen::add);
        // words "ab", " ab", " abc": 'a b' (3), then 'Ġ ab' (2), then 'Ġab c' (1); then every word is one token
        assertEquals(List.of("a b", "Ġ ab", "Ġab c"), t.vocabulary().merges());
        assertEquals(256 + 3 + 1, t.vocabulary().size());
        assertEquals(List.of(1, 2, 3), seen);
        for (String word : t.words()) {
            assertEquals(1, t.segmentation(word).length, word);
        }
    }

    @Test
    void progressCountsEveryMerge() {
        List<Integer> seen = new ArrayList<>();
        new BpeTrainer(300).train(words(PROSE), seen::add);
        assertEquals(IntStream.rangeClosed(1, 300 - 257).boxed().toList(), seen);
    }

    @Test
    void aVocabularySurvivesAGgufRoundTrip() throws Exception {
        BpeVocabulary v = new BpeTrainer(700).train(PROSE);
        GgufWriter w = new GgufWriter().putString("general.architecture", "gpt2");
        v.writeTo(w);
        Path p = dir.resolve("vocab.gguf");
        w.write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals("gpt2", f.getString("tokenizer.ggml.model").orElseThrow());
            assertEquals("gpt-2", f.getString("tokenizer.ggml.pre").orElseThrow());
            assertEquals(new GgufValue.StrArray(v.tokens()), f.get("tokenizer.ggml.tokens").orElseThrow());
            assertEquals(new GgufValue.StrArray(v.merges()), f.get("tokenizer.ggml.merges").orElseThrow());
            GgufValue.IntArray types = (GgufValue.IntArray) f.get("tokenizer.ggml.token_type").orElseThrow();
            assertEquals(GgufValueType.INT32, types.elementType());
            assertEquals(1, types.get(0));
            assertEquals(3, types.get(v.endOfText()));
            assertEquals(new GgufValue.Int(GgufValueType.UINT32, v.endOfText()), f.get("tokenizer.ggml.bos_token_id").orElseThrow());
            assertEquals(new GgufValue.Int(GgufValueType.UINT32, v.endOfText()), f.get("tokenizer.ggml.eos_token_id").orElseThrow());
            assertEquals(new GgufValue.Bool(true), f.get("tokenizer.ggml.add_bos_token").orElseThrow());
            assertEquals(new GgufValue.Bool(false), f.get("tokenizer.ggml.add_eos_token").orElseThrow());
            BpeVocabulary back = BpeVocabulary.readFrom(f);
            assertEquals(v, back);
            String text = "It’s the fox — 🦙<|endoftext|>";
            assertArrayEquals(v.tokenizer().encode(text, true, true), back.tokenizer().encode(text, true, true));
        }
    }

    @Test
    void readingAnotherKindOfVocabularyFailsWithTheKey() throws Exception {
        BpeVocabulary v = new BpeTrainer(300).train(PROSE);
        Path llama = dir.resolve("llama.gguf");
        GgufWriter w = new GgufWriter();
        v.writeTo(w);
        w.putString("tokenizer.ggml.model", "llama").write(llama);
        try (GgufFile f = GgufFile.open(llama)) {
            String m = assertThrows(IllegalArgumentException.class, () -> BpeVocabulary.readFrom(f)).getMessage();
            assertTrue(m.contains("llama.gguf") && m.contains("tokenizer.ggml.model = llama"), m);
        }
        Path noBos = dir.resolve("nobos.gguf");
        w = new GgufWriter();
        v.writeTo(w);
        w.putBool("tokenizer.ggml.add_bos_token", false).write(noBos);
        try (GgufFile f = GgufFile.open(noBos)) {
            String m = assertThrows(IllegalArgumentException.class, () -> BpeVocabulary.readFrom(f)).getMessage();
            assertTrue(m.contains("tokenizer.ggml.add_bos_token = false"), m);
        }
        Path badMerge = dir.resolve("badmerge.gguf");
        w = new GgufWriter();
        v.writeTo(w);
        w.putStrings("tokenizer.ggml.merges", List.of("q z")).write(badMerge);
        try (GgufFile f = GgufFile.open(badMerge)) {
            String m = assertThrows(IllegalArgumentException.class, () -> BpeVocabulary.readFrom(f)).getMessage();
            assertTrue(m.contains("Merge 0 'q z': 'qz' is not a token"), m);
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheLimit() {
        String m = assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(256)).getMessage();
        assertTrue(m.contains("Vocabulary size 256 is below the 256 byte tokens plus 1 special token(s) = 257"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(1000).train(List.of("", ""))).getMessage();
        assertTrue(m.contains("Empty corpus"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(1000, List.of())).getMessage();
        assertTrue(m.contains("At least one special token"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(1000, List.of("<a>", "<a>"))).getMessage();
        assertTrue(m.contains("'<a>' is repeated"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new BpeTrainer(1000, List.of("x"))).getMessage();
        assertTrue(m.contains("is the character of byte 120"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new WordCounts().add("w", 0)).getMessage();
        assertTrue(m.contains("must be at least 1, got 0"), m);
        m = assertThrows(IllegalArgumentException.class, () -> new BpeVocabulary(List.of("a"), List.of(), List.of(TokenType.CONTROL), 0)).getMessage();
        assertTrue(m.contains("Byte 0x00"), m);
    }

    @Test
    void wordCountsCountWordsWithTheirMultiplicity() {
        WordCounts w = new WordCounts().addDocument("the cat and the hat, the end").addDocument(" the");
        assertEquals(1, w.count("the"));
        assertEquals(3, w.count(" the"));
        assertEquals(1, w.count(","));
        assertEquals(0, w.count("dog"));
        assertEquals(9, w.total());
        assertEquals(List.of(" and", " cat", " end", " hat", " the", ",", "the"), w.words());
        assertEquals(7, w.distinct());
    }
}
