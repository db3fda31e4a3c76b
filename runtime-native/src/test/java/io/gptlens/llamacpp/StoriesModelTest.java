package io.gptlens.llamacpp;

import io.gptlens.core.distribution.Softmax;
import io.gptlens.core.generation.GenerationEvent;
import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.generation.StopReason;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.sampling.DistPicker;
import io.gptlens.core.sampling.GreedyPicker;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.TemperatureSampler;
import io.gptlens.core.sampling.TopKSampler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared stories260K model through the Java API, against llama.cpp's known output. */
class StoriesModelTest {

    /** llama.cpp's own greedy continuation of "Once upon a time" (../shared/models/README.md). */
    static final String KNOWN = ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. "
            + "She wanted to play with it, but it was too high.\nLily's mom said";

    static Model model;

    @BeforeAll
    static void load() throws Exception {
        List<Double> progress = new ArrayList<>();
        model = new LlamaBackend().load(TestFiles.stories(), LoadOptions.defaults(), progress::add);
        assertTrue(!progress.isEmpty() && progress.getLast() == 1.0, "progress reported up to 1: " + progress);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void factsOfTheModel() {
        var i = model.info();
        assertEquals("llama", i.architecture());
        assertEquals(64, i.embeddingLength());
        assertEquals(5, i.layers());
        assertEquals(8, i.heads());
        assertEquals(4, i.headsKv());
        assertEquals(2048, i.contextLength());
        assertEquals(512, i.vocabularySize());
        assertTrue(i.parameterCount() > 200_000 && i.parameterCount() < 300_000, "params " + i.parameterCount());
    }

    @Test
    void tokenizesThePromptAsLlamaCppDoes() {
        assertArrayEquals(new int[]{1, 403, 407, 261, 378}, model.tokenizer().encode("Once upon a time", true, false));
        assertEquals(" Once upon a time", model.tokenizer().decode(new int[]{1, 403, 407, 261, 378}, true, false)); // llama.cpp keeps the SPM space prefix
    }

    @Test
    void greedyCompletionEqualsLlamaCpp() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(256));
             SamplerChain chain = new SamplerChain(List.of(), new GreedyPicker())) {
            List<GenerationEvent> events = new ArrayList<>();
            var done = new Generator(s, model.tokenizer()).generate(GenerationRequest.of("Once upon a time", 80), chain, events::add);
            assertTrue(done.text().startsWith(KNOWN), "got: " + done.text());
            assertEquals(StopReason.MAX_TOKENS, done.reason());
            assertEquals(5, done.promptTokens());
            StringBuilder streamed = new StringBuilder();
            for (GenerationEvent e : events) {
                if (e instanceof GenerationEvent.TokenEvent t) {
                    streamed.append(t.text());
                    assertTrue(t.alternatives().size() == 5);
                    assertEquals(t.token(), t.alternatives().getFirst().id(), "greedy picks the top alternative");
                }
            }
            assertEquals(done.text(), streamed.toString());
        }
    }

    @Test
    void aBranchThroughTheSequenceCacheEvaluatesOnlyWhatDiffersAndTakesItsForcedToken() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(256));
             SamplerChain chain = new SamplerChain(List.of(), new GreedyPicker())) {
            var cache = new io.gptlens.core.generation.SequenceCache(s, 0);
            int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
            List<GenerationEvent.TokenEvent> firstEvents = new ArrayList<>();
            var first = new Generator(cache, model.tokenizer()).generate(GenerationRequest.ofTokens(prompt, 12), chain, e -> {
                if (e instanceof GenerationEvent.TokenEvent t) {
                    firstEvents.add(t);
                }
            });
            assertTrue(KNOWN.startsWith(first.text()), "got: " + first.text());

            // branch after 3 generated tokens: take the runner-up there instead of the greedy token
            int[] shared = java.util.Arrays.copyOf(prompt, prompt.length + 3);
            System.arraycopy(first.tokens(), 0, shared, prompt.length, 3);
            int greedyThere = first.tokens()[3];
            assertEquals(greedyThere, firstEvents.get(3).alternatives().get(0).id());
            int runnerUp = firstEvents.get(3).alternatives().get(1).id();
            List<GenerationEvent.TokenEvent> events = new ArrayList<>();
            int[] evaluatedForPrompt = {-1};
            var branch = new Generator(cache, model.tokenizer()).generate(GenerationRequest.ofTokens(shared, 6).withForced(new int[]{runnerUp}), chain, e -> {
                if (e instanceof GenerationEvent.PromptEvent) {
                    evaluatedForPrompt[0] = cache.lastEvaluated();
                }
                if (e instanceof GenerationEvent.TokenEvent t) {
                    events.add(t);
                }
            });
            assertEquals(1, evaluatedForPrompt[0], "the shared prefix came from the KV cache; only its last token was evaluated again");
            assertTrue(events.getFirst().forced());
            assertEquals(runnerUp, events.getFirst().token());
            assertTrue(events.stream().skip(1).noneMatch(GenerationEvent.TokenEvent::forced));
            assertEquals(6, branch.tokens().length);

            // forcing the end token ends the generation with an end event and no text
            int eos = model.tokenizer().specialTokens().eos();
            List<GenerationEvent.TokenEvent> end = new ArrayList<>();
            var done = new Generator(cache, model.tokenizer()).generate(GenerationRequest.ofTokens(prompt, 5).withForced(new int[]{eos}), chain,
                    e -> {
                        if (e instanceof GenerationEvent.TokenEvent t) {
                            end.add(t);
                        }
                    });
            assertEquals(StopReason.END_OF_GENERATION, done.reason());
            assertEquals(1, end.size());
            assertTrue(end.getFirst().end());
            assertEquals("", end.getFirst().text());
            assertEquals(eos, end.getFirst().token());
        }
    }

    @Test
    void probabilitiesAreTheSoftmaxOfLlamaCppLogits() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(64))) {
            int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
            s.evaluate(Batch.allOutputs(prompt, 0, 0));
            for (int i = 0; i < prompt.length; i++) {
                float[] logits = s.logits(i);
                assertEquals(512, logits.length);
                double[] p = Softmax.probabilities(logits, 1);
                double sum = 0;
                for (int t = 0; t < p.length; t++) {
                    assertEquals(Math.exp(logits[t]) / sumExp(logits), p[t], 1e-9);
                    sum += p[t];
                }
                assertEquals(1.0, sum, 1e-5);
            }
            assertEquals(4, s.maxPosition(0));
        }
    }

    private static double sumExp(float[] l) {
        double s = 0;
        for (float x : l) {
            s += Math.exp(x);
        }
        return s;
    }

    @Test
    void seededSamplingIsReproducibleAndStopStringsCut() {
        String[] texts = new String[2];
        for (int k = 0; k < 2; k++) {
            try (Session s = model.newSession(SessionOptions.defaults().withContextLength(128));
                 SamplerChain chain = new SamplerChain(List.of(new TopKSampler(40), new TemperatureSampler(0.9)), new DistPicker(7))) {
                texts[k] = new Generator(s, model.tokenizer()).generate(GenerationRequest.of("Once upon a time", 40), chain, e -> { }).text();
            }
        }
        assertEquals(texts[0], texts[1]);
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(128));
             SamplerChain chain = new SamplerChain(List.of(), new GreedyPicker())) {
            var done = new Generator(s, model.tokenizer()).generate(GenerationRequest.of("Once upon a time", 60).withStop(List.of("Lily")),
                    chain, e -> { });
            assertEquals(StopReason.STOP_STRING, done.reason());
            assertEquals(", there was a little girl named ", done.text());
        }
    }

    @Test
    void branchingReusesThePrefixCache() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(128))) {
            int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
            s.evaluate(Batch.of(prompt, 0, 0));
            float[] a = s.logits(-1);
            s.copySequence(0, 1, -1, -1);
            assertEquals(4, s.maxPosition(1));
            s.evaluate(Batch.of(new int[]{11}, 5, 1));
            float[] branch = s.logits(-1);
            s.evaluate(Batch.of(new int[]{11}, 5, 0));
            assertArrayEquals(branch, s.logits(-1), 1e-4f);
            s.removeTokens(1, -1, -1);
            assertEquals(-1, s.maxPosition(1));
            assertEquals(512, a.length);
        }
    }

    @Test
    void cancelStopsTheLoop() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(256));
             SamplerChain chain = new SamplerChain(List.of(), new GreedyPicker())) {
            Generator g = new Generator(s, model.tokenizer());
            AtomicInteger n = new AtomicInteger();
            var done = g.generate(GenerationRequest.of("Once upon a time", 200), chain, e -> {
                if (e instanceof GenerationEvent.TokenEvent && n.incrementAndGet() == 3) {
                    g.cancel();
                }
            });
            assertEquals(StopReason.CANCELLED, done.reason());
            assertTrue(done.tokens().length <= 4);
        }
    }

    @Test
    void badInputIsRefusedNotCrashed() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(32))) {
            assertThrows(IllegalArgumentException.class, () -> s.evaluate(Batch.of(new int[]{9999}, 0, 0)));
            assertThrows(IllegalArgumentException.class, () -> s.evaluate(Batch.of(new int[]{1}, s.contextLength(), 0)));
            assertThrows(IllegalArgumentException.class, () -> s.evaluate(Batch.of(new int[]{1}, 0, 99)));
            assertThrows(IllegalStateException.class, () -> s.logits(0));
            assertThrows(IllegalArgumentException.class, () -> model.tokenizer().piece(512, false));
        }
        Session closed = model.newSession(SessionOptions.defaults().withContextLength(32));
        closed.close();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.evaluate(Batch.of(new int[]{1}, 0, 0)));
    }

    @Test
    void embeddingRowsAreTheTensorRows() throws Exception {
        assertTrue(model instanceof LlamaModel);
        var gguf = model.gguf().orElseThrow();
        var te = gguf.tensor("token_embd.weight").orElseThrow();
        assertArrayEquals(gguf.row(te, 403), model.embeddingRow(403));
        assertEquals(64, model.embeddingRow(0).length);
        assertEquals(model.tiedEmbeddings(), gguf.tensor("output.weight").isEmpty());
        assertEquals(64, model.unembeddingRow(511).length);
    }

    @Test
    void internalsAttentionIsCausalAndResidualHasTheEmbeddingWidth() {
        int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
        var in = model.internals(prompt);
        assertEquals(5, in.attention().size());
        assertEquals(5, in.residual().size());
        for (float[][][] layer : in.attention()) {
            assertEquals(8, layer.length);
            for (float[][] head : layer) {
                for (int q = 0; q < prompt.length; q++) {
                    double sum = 0;
                    for (int k = 0; k < prompt.length; k++) {
                        if (k > q) {
                            assertEquals(0f, head[q][k], "causal mask at q=" + q + " k=" + k);
                        }
                        sum += head[q][k];
                    }
                    assertEquals(1.0, sum, 1e-4);
                }
                assertEquals(1f, head[0][0], 1e-6f);
            }
        }
        for (float[][] r : in.residual()) {
            assertEquals(prompt.length, r.length);
            assertEquals(64, r[0].length);
        }
        // the stream after the last layer, through the final norm and W_U, gives the logits the model outputs
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(64))) {
            s.evaluate(Batch.of(prompt, 0, 0));
            float[] logits = s.logits(-1);
            float[] last = in.residual().getLast()[prompt.length - 1];
            var gguf = model.gguf().orElseThrow();
            float[] norm = gguf.row(gguf.tensor("output_norm.weight").orElseThrow(), 0);
            double ms = 0;
            for (float x : last) {
                ms += x * x;
            }
            double scale = 1 / Math.sqrt(ms / last.length + 1e-5);
            for (int t : new int[]{0, 13, 432, 511}) {
                float[] w = model.unembeddingRow(t);
                double dot = 0;
                for (int i = 0; i < last.length; i++) {
                    dot += last[i] * scale * norm[i] * w[i];
                }
                assertEquals(logits[t], dot, 1e-3, "logit of token " + t);
            }
        }
    }

    @Test
    void sequenceCacheEvaluatesOnlyWhatDiffers() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(128))) {
            var cache = new io.gptlens.core.generation.SequenceCache(s, 0);
            int[] prompt = {1, 403, 407, 261, 378};
            float[] a = cache.sync(prompt);
            assertEquals(5, cache.lastEvaluated());
            float[] b = cache.append(432);
            assertEquals(1, cache.lastEvaluated());
            float[] branch = cache.sync(new int[]{1, 403, 407, 261, 378, 11});
            assertEquals(1, cache.lastEvaluated(), "the branch reuses the 5 cached tokens");
            assertArrayEquals(a, cache.sync(prompt), 1e-4f);
            assertEquals(1, cache.lastEvaluated(), "going back re-evaluates only the last token");
            try (Session fresh = model.newSession(SessionOptions.defaults().withContextLength(128))) {
                fresh.evaluate(Batch.of(new int[]{1, 403, 407, 261, 378, 11}, 0, 0));
                assertArrayEquals(fresh.logits(-1), branch, 1e-4f);
                fresh.removeTokens(0, -1, -1);
                fresh.evaluate(Batch.of(new int[]{1, 403, 407, 261, 378, 432}, 0, 0));
                assertArrayEquals(fresh.logits(-1), b, 1e-4f);
            }
        }
    }

    @Test
    void logitLensOfTheLastLayerIsTheModelsPrediction() {
        int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
        var in = model.internals(prompt);
        var norm = ((LlamaModel) model).finalNorm().orElseThrow();
        assertTrue(norm.rms());
        java.util.List<float[]> lastPosition = in.residual().stream().map(r -> r[prompt.length - 1]).toList();
        var lens = io.gptlens.core.model.LogitLens.top(lastPosition, norm, model::unembeddingRow, 512, 5);
        assertEquals(5, lens.size());
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(64))) {
            s.evaluate(Batch.of(prompt, 0, 0));
            float[] logits = s.logits(-1);
            var top = io.gptlens.core.distribution.TopN.of(logits, Softmax.logSumExp(logits), 5);
            assertEquals(top.stream().map(e -> e.id()).toList(), lens.getLast().stream().map(e -> e.id()).toList());
            assertEquals(top.getFirst().p(), lens.getLast().getFirst().p(), 1e-3);
        }
    }
}
