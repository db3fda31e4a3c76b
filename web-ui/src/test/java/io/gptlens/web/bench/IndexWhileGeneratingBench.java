package io.gptlens.web.bench;

import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.SamplerChains;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.llamacpp.LlamaBackend;
import io.gptlens.llamacpp.LowPriority;
import io.gptlens.web.explorer.index.EmbeddingIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * How much the explorer's background index build slows a generation: tokens per second of the
 * Generator (64 tokens, full-vocabulary probabilities and top-5, 2 threads) before, during and
 * after (and while) building the int8 HNSW index of the same model's W_E on {@link LowPriority} threads
 * (nice 19), as the explorer does when a model loads.
 *
 * <pre>./mvnw -q install -DskipTests &amp;&amp; ./mvnw -q -pl web-ui exec:exec@bench-index-load -Dmodels=qwen-0.5b-q4_k_m.gguf</pre>
 */
public final class IndexWhileGeneratingBench {

    private IndexWhileGeneratingBench() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(System.getProperty("models").split(",")[0]).toAbsolutePath();
        System.setProperty("gptlens.preflight", "false");
        var providers = NamedProviders.load(SamplerProvider.class, IndexWhileGeneratingBench.class.getClassLoader());
        try (Model m = new LlamaBackend().load(model, LoadOptions.defaults(), null);
             Session s = m.newSession(SessionOptions.defaults().withContextLength(128).withThreads(2));
             SamplerChain chain = SamplerChains.build(providers, SamplerChains.standard(1, 0, 1, 0, 1), 1)) {
            tg(m, s, chain);
            List<Double> before = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                before.add(tg(m, s, chain));
            }
            Path dir = Files.createTempDirectory("gptlens-index-load").resolve("we");
            int rows = m.tokenizer().vocabularySize();
            long t0 = System.nanoTime();
            CompletableFuture<EmbeddingIndex> build = CompletableFuture.supplyAsync(() -> {
                try {
                    return EmbeddingIndex.build(dir, rows, m::embeddingRow, null, LowPriority.threads("bench-index-merge"));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> LowPriority.threads("bench-index").newThread(r).start());
            // the build takes only what generation leaves, so it would hardly advance while tokens stream
            // without pause: measure 40 generations beside it, then let it finish alone
            List<Double> during = new ArrayList<>();
            while (!build.isDone() && during.size() < 40) {
                during.add(tg(m, s, chain));
            }
            double besideSeconds = (System.nanoTime() - t0) / 1e9;
            build.join().close();
            double buildSeconds = (System.nanoTime() - t0) / 1e9;
            List<Double> after = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                after.add(tg(m, s, chain));
            }
            EmbeddingIndex.deleteTree(dir.getParent());
            List<Double> alone = new ArrayList<>(before);
            alone.addAll(after);
            System.out.printf(Locale.ROOT, "%s: generation alone %.2f tok/s (median of %d, before and after), while the index of its %d × %d W_E "
                            + "was built at nice 19: %.2f tok/s (median of %d) = %.3f×; the build ran %.1f s beside generation and %.1f s in all%n",
                    model.getFileName(), median(alone), alone.size(), rows, m.info().embeddingLength(), median(during), during.size(),
                    median(during) / median(alone), besideSeconds, buildSeconds);
        }
    }

    private static double tg(Model m, Session s, SamplerChain chain) {
        var done = new Generator(s, m.tokenizer()).generate(GenerationRequest.ofTokens(new int[]{1}, 64).withTopN(5), chain, e -> { });
        return (done.tokens().length - 1) * 1e9 / done.generationNanos();
    }

    private static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
