package io.gptlens.llamacpp;

import io.gptlens.core.distribution.Softmax;
import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.TensorInfo;
import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.sampling.GreedyPicker;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.tokenizer.ByteLevelBpe;
import io.gptlens.core.training.BpeVocabulary;
import io.gptlens.core.training.Corpus;
import io.gptlens.core.training.GptInitializer;
import io.gptlens.core.training.LearningRateSchedule;
import io.gptlens.core.training.NgramBaseline;
import io.gptlens.core.training.PretrainingData;
import io.gptlens.core.training.TokenWindows;
import io.gptlens.core.training.TrainingPreset;
import io.gptlens.core.training.TrainingRecipe;
import io.gptlens.core.training.TrainingRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Pre-training with llama.cpp's trainer, end to end on a fixed slice of the State of the Union
 * corpus: GPTLens's BPE learned on it, a random tiny llama written by {@link GptInitializer},
 * 200 optimizer steps of the tiny preset. Oracles: the slice's own unigram entropy, an independent
 * scoring of the saved checkpoint by llama.cpp's inference, llama.cpp's tokenizer of the
 * checkpoint, and the weight-decay arithmetic of AdamW for tensors without a gradient.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PretrainingTest {

    @TempDir
    static Path dir;

    private TrainingRecipe recipe;
    private PretrainingData data;
    private TrainingRun.Outcome outcome;
    private final List<TrainingRun.Validated> validations = new ArrayList<>();
    private final List<TrainingRun.Step> steps = new ArrayList<>();

    static Corpus slice() throws Exception {
        Path p = Path.of(System.getProperty("gptlens.corpus.dir", ""));
        if (!Files.isDirectory(p)) {
            fail("The State of the Union corpus is not at " + p + " (the build fetches it with fetch-llama.sh corpus)");
        }
        Corpus all = Corpus.load(p);
        return new Corpus("sotu-slice", all.documents().subList(0, 80)); // 1790 to the 1860s
    }

    @BeforeAll
    void train() throws Exception {
        recipe = TrainingPreset.TINY.recipe();
        data = PretrainingData.prepare(slice(), recipe.vocabularySize(), s -> { });
        Path init = dir.resolve("init.gguf");
        GptInitializer.write(recipe, data.vocabulary(), "tiny-test", init);
        try (Model m = new LlamaBackend().load(init, new LoadOptions(0, false, false), null)) {
            TrainingRun run = new TrainingRun(m, recipe, data.runData(recipe.window()),
                    new TrainingRun.Plan(10, 50, 16, 100, null, null, 0), dir.resolve("checkpoints"), e -> {
                switch (e) {
                    case TrainingRun.Validated v -> validations.add(v);
                    case TrainingRun.Step s -> steps.add(s);
                    default -> { }
                }
            });
            outcome = run.run(0, 0, () -> false);
        }
    }

    @Test
    void theValidationLossFallsBelowTheSlicesUnigramEntropy() {
        double unigram = NgramBaseline.unigramEntropy(data.train(), data.vocabulary().size());
        double uniform = Math.log(recipe.vocabularySize());
        assertEquals(TrainingRun.Stop.COMPLETED, outcome.stop());
        assertEquals(200, outcome.steps());
        assertEquals(200, steps.size());
        assertEquals(uniform, steps.getFirst().result().loss(), 0.1, "a random model starts near ln V");
        TrainingRun.Validated last = outcome.validation();
        assertTrue(last.full());
        assertTrue(last.loss() < unigram, "validation " + last.loss() + " nats/token should be below the unigram entropy " + unigram);
        assertTrue(last.bitsPerByte() < data.unigramBitsPerByte(), last.bitsPerByte() + " vs unigram " + data.unigramBitsPerByte());
    }

    @Test
    void theCheckpointScoresWhatTrainingReported() throws Exception {
        TokenWindows val = data.validationWindows(recipe.window());
        double nats = 0;
        try (Model m = new LlamaBackend().load(outcome.checkpoint(), LoadOptions.defaults(), null);
             Session s = m.newSession(new SessionOptions(recipe.window(), recipe.window(), 1, 0, false, false))) {
            int w = val.length();
            for (int i = 0; i < val.count(); i++) {
                s.clear();
                int[] in = Arrays.copyOfRange(val.inputs(), i * w, (i + 1) * w);
                s.evaluate(Batch.allOutputs(in, 0, 0));
                for (int j = 0; j < w; j++) {
                    float[] logits = s.logits(j);
                    nats += Softmax.logSumExp(logits) - logits[val.labels()[i * w + j]];
                }
            }
        }
        double mean = nats / val.tokens();
        assertEquals(outcome.validation().loss(), mean, 2e-3 * mean, "llama.cpp's inference scores the checkpoint as the trainer reported");
    }

    @Test
    void llamaCppLoadsTheCheckpointAndGenerates() throws Exception {
        try (GgufFile f = GgufFile.open(outcome.checkpoint())) {
            assertEquals(data.vocabulary(), BpeVocabulary.readFrom(f), "the checkpoint keeps GPTLens's vocabulary");
            assertEquals(recipe.window(), f.getLong("llama.context_length").orElseThrow());
        }
        try (Model m = new LlamaBackend().load(outcome.checkpoint(), LoadOptions.defaults(), null);
             Session s = m.newSession(SessionOptions.defaults().withContextLength(256));
             SamplerChain greedy = SamplerChain.of(List.of(new GreedyPicker()))) {
            assertTrue(m.canGenerate());
            var done = new Generator(s, m.tokenizer()).generate(GenerationRequest.of("The people of the United", 24), greedy, e -> { });
            assertTrue(done.tokens().length > 0, "generated tokens");
            assertFalse(done.text().isBlank(), "generated text: '" + done.text() + "'");
        }
    }

    @Test
    void gptLensBpeEqualsLlamaCppOnTheValidationTextAndItsTestInputs() throws Exception {
        ByteLevelBpe ours = data.vocabulary().tokenizer();
        List<String> texts = new ArrayList<>();
        Corpus.Split split = slice().split(PretrainingData.HOLD_OUT_EVERY);
        split.validation().documents().forEach(d -> texts.add(d.text()));
        texts.addAll(TokenizerVectorsTest.read(TestFiles.llamaSource().resolve("models/ggml-vocab-gpt-2.gguf")).keySet());
        texts.addAll(TokenizerVectorsTest.read(TestFiles.llamaSource().resolve("models/ggml-vocab-llama-bpe.gguf")).keySet());
        long tokens = 0;
        try (Model m = new LlamaBackend().load(outcome.checkpoint(), LoadOptions.defaults().withVocabOnly(true), null)) {
            List<String> differ = new ArrayList<>();
            for (String t : texts) {
                int[] theirs = m.tokenizer().encode(t, false, false);
                int[] mine = ours.encode(t, false, false);
                tokens += theirs.length;
                if (!Arrays.equals(theirs, mine)) {
                    differ.add("'" + (t.length() > 60 ? t.substring(0, 60) + "…" : t) + "'");
                }
            }
            assertEquals(List.of(), differ, differ.size() + " of " + texts.size() + " texts tokenize differently");
            assertArrayEquals(m.tokenizer().encode("The people", true, false), ours.encode("The people", true, false), "BOS added alike");
        }
        assertTrue(tokens > 50_000, "the validation text is long: " + tokens + " tokens");
    }

    /**
     * W_E is trained (GPTLens marks it, llama.cpp's opt_init skips it), while attn_k and attn_v get no
     * gradient in this llama.cpp version (the KV cache's SET_ROWS has no backward): AdamW only decays
     * them, so they equal their initial values times the product of (1 − α_t · λ) over the steps.
     */
    @Test
    void embeddingsLearnWhileKeysAndValuesOnlyDecay() throws Exception {
        LearningRateSchedule sched = new LearningRateSchedule(recipe.peakLearningRate(), recipe.minLearningRate(), recipe.warmupSteps(),
                recipe.steps());
        double decay = 1;
        for (long st = 0; st < recipe.steps(); st++) {
            decay *= 1 - (float) sched.at(st) * (float) recipe.weightDecay();
        }
        try (GgufFile a = GgufFile.open(dir.resolve("init.gguf")); GgufFile b = GgufFile.open(outcome.checkpoint())) {
            float[] e0 = floats(a, "token_embd.weight");
            float[] e1 = floats(b, "token_embd.weight");
            double change = 0;
            for (int i = 0; i < e0.length; i++) {
                change += Math.abs(e1[i] - e0[i] * decay);
            }
            assertTrue(change / e0.length > 1e-3, "W_E learned: mean change " + change / e0.length);
            for (String t : List.of("blk.0.attn_k.weight", "blk.1.attn_v.weight")) {
                float[] k0 = floats(a, t);
                float[] k1 = floats(b, t);
                for (int i = 0; i < k0.length; i += 97) {
                    assertEquals(k0[i] * decay, k1[i], 1e-4 * Math.abs(k0[i]) + 1e-9, t + "[" + i + "]");
                }
            }
        }
    }

    private static float[] floats(GgufFile f, String name) {
        TensorInfo t = f.tensor(name).orElseThrow();
        var seg = f.tensorData(t);
        float[] out = new float[(int) (seg.byteSize() / 4)];
        java.lang.foreign.MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, out, 0, out.length);
        return out;
    }
}
