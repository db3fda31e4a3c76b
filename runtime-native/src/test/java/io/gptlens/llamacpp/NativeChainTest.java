package io.gptlens.llamacpp;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.sampling.DistPicker;
import io.gptlens.core.sampling.GreedyPicker;
import io.gptlens.core.sampling.MinPSampler;
import io.gptlens.core.sampling.PenaltiesSampler;
import io.gptlens.core.sampling.Picker;
import io.gptlens.core.sampling.Sampler;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.SamplerException;
import io.gptlens.core.sampling.SamplerStage;
import io.gptlens.core.sampling.TemperatureSampler;
import io.gptlens.core.sampling.TopPSampler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java stages inside a llama.cpp {@code llama_sampler_chain} through FFM upcalls: the same tokens
 * as the chain run stage by stage in Java, through {@code llama_sampler_apply} and
 * {@code llama_sampler_sample}; faults in an upcall end the call with an error naming the stage
 * and leave the JVM and the chain working.
 */
class NativeChainTest extends StoriesTestBase {

    /** Native and Java stages interleaved, with stateful ones on both sides; ends in llama.cpp's dist or Java's. */
    private static SamplerChain mixed(boolean javaPicker) {
        List<SamplerStage> stages = new ArrayList<>();
        stages.add(new PenaltiesSampler(16, 1.3, 0.1, 0.1));
        stages.add(new NativeSamplers.TopK().create(Map.of("k", 60)));
        stages.add(new TemperatureSampler(0.8));
        stages.add(new NativeSamplers.TopP().create(Map.of("p", 0.95)));
        stages.add(new MinPSampler(0.02, 1));
        stages.add(javaPicker ? new DistPicker(11) : new NativeSamplers.Dist().create(Map.of("seed", 11)));
        return SamplerChain.of(stages);
    }

    private static float[] randomLogits(Random r, int n) {
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) (r.nextGaussian() * 3);
        }
        return l;
    }

    @Test
    void mixedChainRunByLlamaCppPicksWhatTheJavaRunPicks() {
        for (boolean javaPicker : new boolean[]{false, true}) {
            Random r = new Random(42);
            int before = NativeChain.wrappedCount();
            try (SamplerChain inJava = mixed(javaPicker); SamplerChain forNative = mixed(javaPicker);
                 NativeChain inC = NativeChain.of(forNative)) {
                assertEquals(before + (javaPicker ? 4 : 3), NativeChain.wrappedCount());
                assertTrue(inC.describe().startsWith("penalties [Java] -> llama.top-k [C] -> temperature [Java]"), inC.describe());
                int distinct = 0;
                int last = -1;
                for (int step = 0; step < 300; step++) {
                    float[] logits = randomLogits(r, 512);
                    Candidates a = Candidates.fromLogits(logits);
                    Candidates b = Candidates.fromLogits(logits);
                    int ta = inJava.sample(a);
                    int tb = inC.sample(b);
                    assertEquals(ta, tb, "step " + step + " (java picker " + javaPicker + ")");
                    assertEquals(a.size(), b.size(), "candidates left at step " + step);
                    double sum = 0;
                    for (int i = 0; i < b.size(); i++) {
                        sum += b.p(i);
                    }
                    assertEquals(1.0, sum, 1e-5);
                    inJava.accept(ta);
                    inC.accept(tb);
                    distinct += ta != last ? 1 : 0;
                    last = ta;
                }
                assertTrue(distinct > 100, "the chain samples, not always the same token: " + distinct);
            }
            assertEquals(before, NativeChain.wrappedCount(), "free upcalls released every wrapped stage");
        }
    }

    @Test
    void generationReadsTheSameTextWhicheverRunsTheChain() {
        String javaText;
        String applyText;
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(256));
             SamplerChain chain = mixed(true)) {
            javaText = new Generator(s, model.tokenizer()).generate(GenerationRequest.of("Once upon a time", 60), chain, e -> { }).text();
        }
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(256));
             SamplerChain chain = mixed(true);
             var runner = s.runNatively(chain)) {
            applyText = new Generator(s, model.tokenizer()).generate(GenerationRequest.of("Once upon a time", 60), runner, e -> { }).text();
        }
        assertEquals(javaText, applyText);
        // llama_sampler_sample: llama.cpp reads the logits itself, runs the chain and accepts the token
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(256));
             SamplerChain chain = mixed(true);
             NativeChain runner = (NativeChain) s.runNatively(chain)) {
            int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
            s.evaluate(Batch.of(prompt, 0, 0));
            List<Integer> out = new ArrayList<>();
            for (int pos = prompt.length; out.size() < 60; pos++) {
                int t = runner.sampleFromContext(-1);
                if (model.tokenizer().isEndOfGeneration(t)) {
                    break;
                }
                out.add(t);
                s.evaluate(Batch.of(new int[]{t}, pos, 0));
            }
            String text = model.tokenizer().decode(out.stream().mapToInt(Integer::intValue).toArray(), false, false);
            assertEquals(javaText, text);
        }
        assertTrue(javaText.length() > 100, javaText);
    }

    @Test
    void greedyThroughTheContextIsLlamaCppsKnownOutput() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(256));
             SamplerChain chain = SamplerChain.of(List.of(new TopPSampler(0.9, 1), new GreedyPicker()));
             NativeChain runner = (NativeChain) s.runNatively(chain)) {
            int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
            s.evaluate(Batch.of(prompt, 0, 0));
            List<Integer> out = new ArrayList<>();
            for (int pos = prompt.length; out.size() < 40; pos++) {
                int t = runner.sampleFromContext(-1);
                out.add(t);
                s.evaluate(Batch.of(new int[]{t}, pos, 0));
            }
            String text = model.tokenizer().decode(out.stream().mapToInt(Integer::intValue).toArray(), false, false);
            assertTrue(StoriesModelTest.KNOWN.startsWith(text), "got: " + text);
        }
    }

    /** A Java stage that fails on the calls chosen by {@code fault}: 0 works, 1 throws, 2 writes NaN. */
    private static final class Faulty implements Sampler {
        int mode;

        @Override
        public String name() {
            return "faulty";
        }

        @Override
        public void apply(Candidates c) {
            switch (mode) {
                case 1 -> throw new IllegalStateException("boom");
                case 2 -> c.setLogit(0, Float.NaN);
                default -> c.keepTopK(5);
            }
        }

        @Override
        public Faulty copy() {
            Faulty f = new Faulty();
            f.mode = mode;
            return f;
        }
    }

    /** A Java picker that throws: inside llama_sampler_sample a failed pick must not trip llama.cpp's assert. */
    private static final class FaultyPicker implements Picker {
        boolean fail = true;

        @Override
        public String name() {
            return "faulty-picker";
        }

        @Override
        public int pick(Candidates c) {
            if (fail) {
                throw new ArithmeticException("no pick today");
            }
            return c.id(c.argmax());
        }

        @Override
        public FaultyPicker copy() {
            return new FaultyPicker();
        }
    }

    @Test
    void aFaultInsideAnUpcallEndsTheCallWithTheStagesNameAndTheChainGoesOn() {
        Faulty faulty = new Faulty();
        try (SamplerChain chain = SamplerChain.of(List.of(new NativeSamplers.TopK().create(Map.of("k", 40)), faulty,
                new NativeSamplers.Greedy().create(Map.of())));
             NativeChain runner = NativeChain.of(chain)) {
            float[] logits = randomLogits(new Random(1), 512);
            int best = Candidates.fromLogits(logits).argmax();
            assertEquals(best, runner.sample(Candidates.fromLogits(logits)));
            faulty.mode = 1;
            SamplerException e = assertThrows(SamplerException.class, () -> runner.sample(Candidates.fromLogits(logits)));
            assertEquals("faulty", e.stage());
            assertTrue(e.getMessage().contains("boom"), e.getMessage());
            faulty.mode = 2;
            e = assertThrows(SamplerException.class, () -> runner.sample(Candidates.fromLogits(logits)));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            faulty.mode = 0;
            Candidates c = Candidates.fromLogits(logits);
            assertEquals(best, runner.sample(c), "the next call works");
            assertEquals(5, c.size());
        }
    }

    @Test
    void aChainThatCannotBeBuiltLeavesNothingBehindAndAClosedRunnerSaysSo() {
        int before = NativeChain.wrappedCount();
        SamplerStage closedTopK = new NativeSamplers.TopK().create(Map.of("k", 5));
        closedTopK.close();
        try (SamplerChain chain = SamplerChain.of(List.of(new TemperatureSampler(0.7), closedTopK, new GreedyPicker()))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> NativeChain.of(chain));
            assertTrue(e.getMessage().contains("llama.top-k is closed"), e.getMessage());
        }
        assertEquals(before, NativeChain.wrappedCount(), "the wrapper made before the failure was freed with the chain");

        try (SamplerChain chain = SamplerChain.of(List.of(new TemperatureSampler(0.7), new GreedyPicker()))) {
            NativeChain runner = NativeChain.of(chain);
            runner.close();
            runner.close(); // twice is fine
            assertThrows(IllegalStateException.class, () -> runner.sample(Candidates.fromLogits(new float[]{1, 2, 3})));
            assertThrows(IllegalStateException.class, () -> runner.sampleFromContext(-1));
        }
        assertEquals(before, NativeChain.wrappedCount());
    }

    @Test
    void aFailingJavaPickerInsideLlamaSamplerSampleDoesNotAbort() {
        FaultyPicker picker = new FaultyPicker();
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(64));
             SamplerChain chain = SamplerChain.of(List.of(new NativeSamplers.TopK().create(Map.of("k", 10)), picker));
             NativeChain runner = (NativeChain) s.runNatively(chain)) {
            int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
            s.evaluate(Batch.of(prompt, 0, 0));
            SamplerException e = assertThrows(SamplerException.class, () -> runner.sampleFromContext(-1));
            assertEquals("faulty-picker", e.stage());
            assertTrue(e.getMessage().contains("no pick today"), e.getMessage());
            picker.fail = false;
            int greedy = Candidates.fromLogits(s.logits(-1)).argmax();
            assertEquals(greedy, runner.sampleFromContext(-1));
        }
    }
}
