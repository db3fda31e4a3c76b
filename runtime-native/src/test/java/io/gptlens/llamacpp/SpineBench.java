package io.gptlens.llamacpp;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.distribution.Softmax;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.sampling.GreedyPicker;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.SamplerChains;
import io.gptlens.core.sampling.SamplerProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static io.gptlens.core.bench.Timing.medianMillis;

/**
 * Prints the spine's speed figures: softmax and sampler chains over a 152k vocabulary, GGUF open and
 * preflight cost, and prompt/generation throughput with the real llama.cpp. Run with
 * {@code ./mvnw -q -pl core,runtime-native -am install -DskipTests && ./mvnw -q -pl runtime-native exec:exec@bench}.
 * Each figure is the median of several timed repetitions after warm-up.
 */
public final class SpineBench {

    private SpineBench() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("GPTLens spine benchmark; " + Runtime.getRuntime().availableProcessors() + " CPUs; Java " + Runtime.version());
        System.out.println("llama.cpp: " + LlamaLibrary.systemInfo().strip());
        Random r = new Random(1);
        float[] logits = new float[152_064];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (r.nextGaussian() * 3);
        }
        System.out.printf("softmax, 152064 logits, T=0.7:                 %8.3f ms%n",
                medianMillis(20, 51, () -> (long) Softmax.probabilities(logits, 0.7)[0]));
        System.out.printf("log-softmax + top-5, 152064 logits:            %8.3f ms%n",
                medianMillis(20, 51, () -> TopN.of(logits, Softmax.probabilities(logits, 1), Softmax.logProbabilities(logits, 1), 5).size()));
        var providers = NamedProviders.load(SamplerProvider.class, SpineBench.class.getClassLoader());
        for (String chain : List.of("greedy", "top-p .95 > dist (full sort)", "top-k 40 > top-p .95 > min-p .05 > temperature .8 > dist", "llama: top-k 40 > top-p .95 > min-p .05 > temperature .8 > dist")) {
            var specs = chain.equals("greedy") ? SamplerChains.standard(0, 0, 1, 0, 1)
                    : chain.startsWith("top-p") ? SamplerChains.standard(1, 0, 0.95, 0, 1)
                    : chain.startsWith("llama") ? List.of(io.gptlens.core.sampling.StageSpec.of("llama.top-k", "k", 40),
                    io.gptlens.core.sampling.StageSpec.of("llama.top-p", "p", 0.95), io.gptlens.core.sampling.StageSpec.of("llama.min-p", "p", 0.05),
                    io.gptlens.core.sampling.StageSpec.of("llama.temperature", "t", 0.8), io.gptlens.core.sampling.StageSpec.of("llama.dist"))
                    : SamplerChains.standard(0.8, 40, 0.95, 0.05, 1);
            try (SamplerChain c = SamplerChains.build(providers, specs, 1)) {
                System.out.printf("sample %-58s %8.3f ms%n", chain + ":", medianMillis(10, 31, () -> c.sample(Candidates.fromLogits(logits))));
            }
        }
        // top-p on a peaked distribution, as a trained model's usually is (logits with σ = 8: the best few hundred hold 95 %)
        float[] peaked = new float[logits.length];
        for (int i = 0; i < peaked.length; i++) {
            peaked[i] = logits[i] * 8 / 3;
        }
        try (SamplerChain c = SamplerChains.build(providers, SamplerChains.standard(1, 0, 0.95, 0, 1), 1)) {
            System.out.printf("sample %-58s %8.3f ms%n", "top-p .95 > dist, peaked (σ = 8):", medianMillis(10, 31, () -> c.sample(Candidates.fromLogits(peaked))));
        }
        // one llama_sampler_chain run by llama.cpp, with and without Java stages called back through upcalls
        var mixed = List.of(io.gptlens.core.sampling.StageSpec.of("llama.top-k", "k", 40), io.gptlens.core.sampling.StageSpec.of("top-p", "p", 0.95),
                io.gptlens.core.sampling.StageSpec.of("llama.min-p", "p", 0.05), io.gptlens.core.sampling.StageSpec.of("temperature", "t", 0.8),
                io.gptlens.core.sampling.StageSpec.of("llama.dist"));
        var allC = List.of(io.gptlens.core.sampling.StageSpec.of("llama.top-k", "k", 40), io.gptlens.core.sampling.StageSpec.of("llama.top-p", "p", 0.95),
                io.gptlens.core.sampling.StageSpec.of("llama.min-p", "p", 0.05), io.gptlens.core.sampling.StageSpec.of("llama.temperature", "t", 0.8),
                io.gptlens.core.sampling.StageSpec.of("llama.dist"));
        for (var e : java.util.Map.of("llama.cpp runs all-C chain (5 C stages):", allC,
                "llama.cpp runs mixed chain (3 C + 2 Java upcalls):", mixed).entrySet()) {
            try (SamplerChain c = SamplerChains.build(providers, e.getValue(), 1); NativeChain n = NativeChain.of(c)) {
                System.out.printf("sample %-58s %8.3f ms%n", e.getKey(), medianMillis(10, 31, () -> n.sample(Candidates.fromLogits(logits))));
            }
        }
        try (SamplerChain c = SamplerChains.build(providers, mixed, 1)) {
            System.out.printf("sample %-58s %8.3f ms%n", "Java runs mixed chain stage by stage:", medianMillis(10, 31, () -> c.sample(Candidates.fromLogits(logits))));
        }
        perTokenWork();
        Path stories = Path.of(System.getProperty("gptlens.shared.dir", "../shared"), "models", "stories260K.gguf");
        if (!Files.exists(stories)) {
            System.out.println("(stories260K.gguf not found at " + stories + ": model figures skipped)");
            return;
        }
        System.out.printf("GgufFile.open + GgufModelCheck, stories260K:   %8.3f ms%n", medianMillis(3, 11, () -> {
            try (GgufFile f = GgufFile.open(stories)) {
                return io.gptlens.core.gguf.GgufModelCheck.problems(f).size();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }));
        System.out.printf("preflight (child JVM), stories260K:            %8.3f ms%n", medianMillis(1, 5, () -> {
            try {
                LlamaPreflight.forgetVerdicts();
                try (var g = io.gptlens.core.gguf.GgufFile.open(stories)) {
                    return (int) LlamaPreflight.check(stories, g, false, 0).millis();
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }));
        Path dir = Files.createTempDirectory("gptlens-bench");
        Path f32 = dir.resolve("random-256.gguf");
        TestFiles.randomLlama(stories, f32, 256, 768, 4, 4, 3);
        Path q4 = dir.resolve("random-256-q4_k.gguf");
        LlamaQuantizer.quantize(f32, q4, LlamaQuantizer.FileType.Q4_K_M, 2);
        for (Path p : List.of(stories, f32, q4)) {
            bench(p);
        }
    }

    /**
     * What the Generator adds per token at a Qwen-sized vocabulary, model work excluded: a session
     * whose evaluation does nothing and whose logits are a fixed random row (copied per token, as
     * llama.cpp's are), with Qwen2's real tokenizer (llama.cpp's vocabulary file).
     */
    private static void perTokenWork() throws Exception {
        Path vocab = Path.of(System.getProperty("gptlens.llama.source", "target/llama-source"), "models", "ggml-vocab-qwen2.gguf");
        if (!Files.exists(vocab)) {
            System.out.println("(" + vocab + " not found: per-token figures skipped)");
            return;
        }
        System.setProperty("gptlens.preflight", "false");
        try (Model m = new LlamaBackend().load(vocab, LoadOptions.defaults().withVocabOnly(true), null)) {
            int n = m.tokenizer().vocabularySize();
            float[] row = new float[n];
            Random r = new Random(2);
            for (int i = 0; i < n; i++) {
                row[i] = (float) (r.nextGaussian() * 3);
            }
            var providers = NamedProviders.load(SamplerProvider.class, SpineBench.class.getClassLoader());
            for (var e : java.util.Map.of(
                    "greedy", SamplerChains.standard(0, 0, 1, 0, 1),
                    "temperature 1 > dist (full softmax)", SamplerChains.standard(1, 0, 1, 0, 1),
                    "top-k 40 > top-p .95 > min-p .05 > temp .8 > dist", SamplerChains.standard(0.8, 40, 0.95, 0.05, 1)).entrySet()) {
                try (SamplerChain chain = SamplerChains.build(providers, e.getValue(), 1)) {
                    int tokens = 400;
                    double ms = medianMillis(3, 9, () -> new Generator(new FixedLogitsSession(m, row, 4096), m.tokenizer())
                            .generate(GenerationRequest.ofTokens(new int[]{1, 2, 3}, tokens).withTopN(5), chain, ev -> { }).tokens().length);
                    System.out.printf("Generator per-token work, %d vocab, top-5, %-48s %7.3f ms%n", n, e.getKey() + ":", ms / tokens);
                }
            }
        }
    }

    /** A session that computes nothing: every evaluation leaves the same logits (bench only). */
    private static final class FixedLogitsSession implements Session {
        private final Model model;
        private final float[] row;
        private final int ctx;
        private int max = -1;

        FixedLogitsSession(Model model, float[] row, int ctx) {
            this.model = model;
            this.row = row;
            this.ctx = ctx;
        }

        @Override public Model model() { return model; }
        @Override public int contextLength() { return ctx; }
        @Override public int batchSize() { return 512; }
        @Override public int maxSequences() { return 1; }
        @Override public void evaluate(Batch batch) { max = Math.max(max, batch.position(batch.size() - 1)); }
        @Override public float[] logits(int i) { return row.clone(); }
        @Override public float[] logits(int i, float[] into) { System.arraycopy(row, 0, into, 0, row.length); return into; }
        @Override public float[] embedding(int i) { throw new UnsupportedOperationException(); }
        @Override public void removeTokens(int sequence, int p0, int p1) { max = p0 < 0 ? -1 : Math.min(max, p0 - 1); }
        @Override public void copySequence(int src, int dst, int p0, int p1) { }
        @Override public void keepOnly(int sequence) { }
        @Override public int maxPosition(int sequence) { return max; }
        @Override public void clear() { max = -1; }
        @Override public void cancel() { }
        @Override public void close() { }
    }

    private static void bench(Path file) throws Exception {
        System.setProperty("gptlens.preflight", "false");
        try (Model m = new LlamaBackend().load(file, LoadOptions.defaults(), null)) {
            String name = file.getFileName().toString();
            int[] prompt = new int[128];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = 1 + (i * 37) % (m.info().vocabularySize() - 1);
            }
            try (Session s = m.newSession(SessionOptions.defaults().withContextLength(1024))) {
                double ms = medianMillis(2, 7, () -> {
                    s.removeTokens(0, -1, -1);
                    s.evaluate(Batch.of(prompt, 0, 0));
                    return 0;
                });
                System.out.printf("%-22s prompt 128 tokens:    %8.1f tokens/s%n", name, 128 / (ms / 1000));
                double raw = medianMillis(1, 5, () -> {
                    s.removeTokens(0, -1, -1);
                    s.evaluate(Batch.of(new int[]{1}, 0, 0));
                    for (int i = 1; i < 200; i++) {
                        s.logits(-1);
                        s.evaluate(Batch.of(new int[]{prompt[i % 128]}, i, 0));
                    }
                    return 0;
                });
                System.out.printf("%-22s decode loop, 200 tok: %8.1f tokens/s (evaluate + logits copy)%n", name, 200 / (raw / 1000));
            }
            try (Session s = m.newSession(SessionOptions.defaults().withContextLength(1024));
                 SamplerChain chain = new SamplerChain(List.of(), new GreedyPicker())) {
                double ms = medianMillis(1, 5, () -> new Generator(s, m.tokenizer())
                        .generate(new GenerationRequest("Once upon a time", 200, List.of(), true, true, 5, 0), chain, e -> { }).tokens().length);
                System.out.printf("%-22s Generator, 200 tok:   %8.1f tokens/s (with softmax, log-probs, top-5, events)%n", name, 200 / (ms / 1000));
            }
        }
    }
}
