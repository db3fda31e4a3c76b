package io.gptlens.core.training;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plain parts of pre-training, each against a direct computation. */
class TrainingBasicsTest {

    @TempDir
    Path dir;

    @Test
    void scheduleWarmsUpLinearlyThenDecaysByCosine() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 1e-4, 10, 110);
        assertEquals(1e-4, s.at(0), 1e-12);
        assertEquals(5e-4, s.at(4), 1e-12);
        assertEquals(1e-3, s.at(10), 1e-12);
        assertEquals(1e-4 + 0.5 * 9e-4 * (1 + Math.cos(Math.PI * 0.5)), s.at(60), 1e-12);
        assertEquals(1e-4, s.at(110), 1e-12);
        assertEquals(1e-4, s.at(1000), 1e-12);
    }

    @Test
    void windowsPairEachTokenWithTheNext() {
        int[] stream = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        TokenWindows w = TokenWindows.cut(stream, 4);
        assertEquals(2, w.count());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, w.inputs());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8}, w.labels());
        TokenWindows s = w.select(new int[] {1});
        assertArrayEquals(new int[] {4, 5, 6, 7}, s.inputs());
        assertEquals(8, w.labelBytes(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1}));
        assertEquals(0, TokenWindows.cut(new int[] {1, 2, 3}, 4).count());
    }

    @Test
    void everyEpochVisitsEveryWindowOnceInASeededOrder() {
        int[] p = TrainingRun.permutation(50, 3);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        int[] ids = new int[50];
        Arrays.setAll(ids, i -> i);
        assertArrayEquals(ids, sorted);
        assertArrayEquals(p, TrainingRun.permutation(50, 3));
        assertTrue(!Arrays.equals(p, TrainingRun.permutation(50, 4)));
    }

    @Test
    void theSplitHoldsOutWholeDocumentsSpreadOverTheCorpus() throws Exception {
        List<Corpus.Document> docs = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            docs.add(new Corpus.Document("d" + i, "text " + i));
        }
        Corpus.Split s = new Corpus("c", docs).split(20);
        assertEquals(List.of("d10", "d30"), s.validation().documents().stream().map(Corpus.Document::name).toList());
        assertEquals(43, s.train().documents().size());
        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[] {'o', 'k', (byte) 0xC3, 0x28});
        var e = assertThrows(java.io.IOException.class, () -> Corpus.load(bad));
        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
        Path one = dir.resolve("one.txt");
        Files.writeString(one, "line\n".repeat(400));
        Corpus.Split parts = Corpus.load(one).split(20);
        assertEquals(2, parts.validation().documents().size(), "a single file is cut into parts at line breaks");
        assertEquals(String.join("", Corpus.load(one).documents().get(0).text()),
                String.join("", new Corpus("x", join(parts)).documents().stream().map(Corpus.Document::text).toList()));
    }

    private static List<Corpus.Document> join(Corpus.Split s) {
        List<Corpus.Document> all = new ArrayList<>(s.train().documents());
        all.addAll(s.validation().documents());
        all.sort((a, b) -> Integer.compare(Integer.parseInt(a.name().replaceAll(".* ", "")), Integer.parseInt(b.name().replaceAll(".* ", ""))));
        return all;
    }

    @Test
    void unigramAndBigramBaselinesAgreeWithDirectCounts() {
        int[] train = {0, 1, 0, 1, 0, 2};
        int[] held = {0, 1};
        int[] bytes = {1, 2, 3};
        // add-1/2 unigram over 3 tokens: p(0) = 3.5 / 7.5, p(1) = 2.5 / 7.5
        double uni = -(Math.log(3.5 / 7.5) + Math.log(2.5 / 7.5)) / Math.log(2) / 3;
        assertEquals(uni, NgramBaseline.unigramBitsPerByte(train, held, 3, bytes), 1e-12);
        // bigram: after 0 come 1, 1, 2 (3 times, 2 distinct): p(1|0) = (2 - 0.75) / 3 + 0.75 * 2 / 3 * p(1)
        double p1 = (2 - 0.75) / 3 + 0.75 * 2 / 3 * (2.5 / 7.5);
        double bi = -(Math.log(3.5 / 7.5) + Math.log(p1)) / Math.log(2) / 3;
        assertEquals(bi, NgramBaseline.bigramBitsPerByte(train, held, 3, bytes), 1e-12);
        assertEquals(-(3 / 6.0 * Math.log(0.5) + 2 / 6.0 * Math.log(2 / 6.0) + 1 / 6.0 * Math.log(1 / 6.0)),
                NgramBaseline.unigramEntropy(train, 3), 1e-12);
    }

    @Test
    void recipesRefuseWhatLlamaCppCannotTrain() {
        TrainingRecipe r = TrainingPreset.TINY.recipe();
        var e = assertThrows(IllegalArgumentException.class, () -> new TrainingRecipe("x", 512, 64, 2, 4, 2, 192, 100, false, 0.02, 1e-3,
                1e-4, 10, 0.9, 0.99, 1e-8, 0.1, 10, null, 1));
        assertTrue(e.getMessage().contains("window = 100") && e.getMessage().contains("multiple of 256"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TrainingRecipe("x", 512, 64, 2, 3, 2, 192, 256, false, 0.02, 1e-3,
                1e-4, 10, 0.9, 0.99, 1e-8, 0.1, 10, null, 1));
        assertTrue(r.modelName("sotu").matches("gpt-sotu-bpe512-d64x2-w256-[0-9a-f]{8}"), r.modelName("sotu"));
        assertTrue(!r.modelName("sotu").equals(r.withSeed(2).modelName("sotu")), "the name covers every field");
        assertEquals(TrainingPreset.DEFAULT, TrainingPreset.named("Default"));
    }

    @Test
    void theInitialModelHasTheRecipesShapesAndScaledResidualProjections() throws Exception {
        TrainingRecipe r = TrainingPreset.TINY.recipe();
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            docs.add("the quick brown fox jumps over the lazy dog number " + i + ". ");
        }
        BpeVocabulary v = new BpeTrainer(r.vocabularySize()).train(docs);
        Path f = dir.resolve("init.gguf");
        GptInitializer.write(r, v, "t", f);
        try (GgufFile g = GgufFile.open(f)) {
            assertEquals("llama", g.architecture());
            assertEquals(r.kvHeads(), g.getLong("llama.attention.head_count_kv").orElseThrow());
            TensorInfo k = g.tensor("blk.0.attn_k.weight").orElseThrow();
            assertArrayEquals(new long[] {r.embedding(), (long) r.kvHeads() * r.headSize()}, k.shape());
            assertEquals(v.size(), g.tensor("token_embd.weight").orElseThrow().shape()[1]);
            assertTrue(g.tensor("output.weight").isPresent(), "untied: W_U is its own matrix");
            double q = std(g, "blk.0.attn_q.weight");
            double o = std(g, "blk.0.attn_output.weight");
            assertEquals(r.initStd(), q, 0.1 * r.initStd());
            assertEquals(r.initStd() / Math.sqrt(2.0 * r.layers()), o, 0.1 * o);
            long params = g.tensors().values().stream().mapToLong(t -> Arrays.stream(t.shape()).reduce(1, (a, b) -> a * b)).sum();
            assertEquals(r.withVocabulary(v.size()).parameterCount(), params);
        }
    }

    private static double std(GgufFile g, String name) {
        TensorInfo t = g.tensor(name).orElseThrow();
        var seg = g.tensorData(t);
        long n = seg.byteSize() / 4;
        double ss = 0;
        for (long i = 0; i < n; i++) {
            double x = seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 4 * i);
            ss += x * x;
        }
        return Math.sqrt(ss / n);
    }
}
