package io.gptlens.web.explorer.bench;

import io.gptlens.core.embedding.QuantizedMatrix;
import io.gptlens.core.embedding.SyntheticEmbeddings;
import io.gptlens.core.embedding.Vectors;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.llamacpp.LlamaBackend;
import io.gptlens.web.explorer.index.EmbeddingIndex;
import io.gptlens.web.models.builtin.MiniLmImporter;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/**
 * The explorer's figures, for each matrix: quantising it to int8 and the exact scan (p50/p99 over
 * its own rows as queries, self excluded, on all cores; checked against a float brute force on
 * some queries), then the Lucene int8 HNSW index as GPTLens builds it (build time, size on disk)
 * and its queries: p50/p99 of the graph search alone and with the re-rank on float rows, recall@10
 * before and after the re-rank (a hit counts when its exact score reaches the exact 10th best:
 * ties count).
 *
 * <pre>
 * ./mvnw -q install -DskipTests
 * ./mvnw -q -pl web-ui exec:exec@bench [-Dbench.only=minilm,structured-896,random-896,structured-4096] [-Dbench.index=false]
 * </pre>
 */
public final class ExplorerBench {

    static final int QUERIES = 200;
    static final int CANDIDATES = 200;
    static final int K = 10;
    private static final int THREADS = Runtime.getRuntime().availableProcessors();

    private ExplorerBench() {
    }

    static double pct(double[] ms, double p) {
        double[] s = ms.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p * s.length) - 1)];
    }

    static void run(String name, int n, int d, IntFunction<float[]> make, Path dir) throws Exception {
        System.out.printf("%n== %s: %d × %d ==%n", name, n, d);
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = make.apply(i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, THREADS - 1));
        try (Arena arena = Arena.ofShared()) {
            long t0 = System.nanoTime();
            QuantizedMatrix qm = QuantizedMatrix.quantize(n, d, i -> rows[i], arena, null);
            System.out.printf("int8 copy: %.1f s, %s off the heap%n", (System.nanoTime() - t0) / 1e9,
                    io.gptlens.web.models.DownloadService.size(qm.bytes()));
            Random r = new Random(42);
            int[] qs = r.ints(QUERIES, 0, n).toArray();
            for (int w = 0; w < 20; w++) {
                int t = qs[w];
                qm.nearest(rows[t], K, true, i -> i != t, i -> rows[i], pool, THREADS);
            }
            QuantizedMatrix.Hits[] truth = new QuantizedMatrix.Hits[QUERIES];
            double[] ms = new double[QUERIES];
            double[] msFiltered = new double[QUERIES];
            long rescored = 0;
            for (int q = 0; q < QUERIES; q++) {
                int t = qs[q];
                long a = System.nanoTime();
                truth[q] = qm.nearest(rows[t], K, true, i -> i != t, i -> rows[i], pool, THREADS);
                ms[q] = (System.nanoTime() - a) / 1e6;
                rescored += truth[q].rescored();
                long b = System.nanoTime();
                qm.nearest(rows[t], K, true, i -> i != t && i % 3 != 0, i -> rows[i], pool, THREADS);
                msFiltered[q] = (System.nanoTime() - b) / 1e6;
            }
            int checked = 0;
            for (int q = 0; q < 10; q++) { // the exact scan against a float brute force
                int t = qs[q];
                double[] s = new double[n];
                for (int i = 0; i < n; i++) {
                    s[i] = i == t ? Double.NEGATIVE_INFINITY : Vectors.cosine(rows[t], rows[i]);
                }
                double[] sorted = s.clone();
                Arrays.sort(sorted);
                double tenth = sorted[n - K];
                for (double score : truth[q].scores()) {
                    checked += score >= tenth - 1e-9 ? 1 : 0;
                }
            }
            System.out.printf("exact int8 scan (%d threads), k=%d: p50 %.2f ms, p99 %.2f ms; with a filter (a third excluded) p50 %.2f ms;"
                            + " %.1f rows re-scored on floats per query; agrees with a float brute force on %d of %d%n", THREADS, K,
                    pct(ms, 0.5), pct(ms, 0.99), pct(msFiltered, 0.5), rescored / (double) QUERIES, checked, 10 * K);
            if ("false".equals(System.getProperty("bench.index"))) {
                System.out.println("index: skipped (-Dbench.index=false)");
                return;
            }
            long b0 = System.nanoTime();
            EmbeddingIndex.deleteTree(dir);
            try (EmbeddingIndex idx = EmbeddingIndex.build(dir, n, i -> rows[i], null, Thread.ofPlatform().factory())) {
                double buildS = (System.nanoTime() - b0) / 1e9;
                System.out.printf("index build: %.1f s (%.0f rows/s), %s on disk (one int8 HNSW graph, M=32, beam 200, %d merge workers)%n",
                        buildS, n / buildS, io.gptlens.web.models.DownloadService.size(EmbeddingIndex.sizeOnDisk(dir)), THREADS);
                for (int w = 0; w < 20; w++) {
                    idx.nearest(rows[qs[w]], CANDIDATES, CANDIDATES, Set.of(qs[w]));
                }
                double[] graph = new double[QUERIES];
                double[] total = new double[QUERIES];
                int before = 0;
                int after = 0;
                for (int q = 0; q < QUERIES; q++) {
                    int t = qs[q];
                    double tenth = truth[q].scores()[K - 1] - 1e-9;
                    long a = System.nanoTime();
                    List<EmbeddingIndex.Hit> hits = idx.nearest(rows[t], CANDIDATES, CANDIDATES, Set.of(t));
                    graph[q] = (System.nanoTime() - a) / 1e6;
                    double[] exact = hits.stream().mapToDouble(h -> Vectors.cosine(rows[t], rows[h.id()])).toArray();
                    total[q] = (System.nanoTime() - a) / 1e6;
                    for (int i = 0; i < Math.min(K, exact.length); i++) {
                        before += exact[i] >= tenth ? 1 : 0;
                    }
                    double[] best = exact.clone();
                    Arrays.sort(best);
                    for (int i = 0; i < Math.min(K, best.length); i++) {
                        after += best[best.length - 1 - i] >= tenth ? 1 : 0;
                    }
                }
                System.out.printf("HNSW, %d candidates: graph p50 %.2f ms, p99 %.2f ms; with re-rank p50 %.2f ms, p99 %.2f ms; "
                                + "recall@10 before re-rank %.4f, after %.4f%n", CANDIDATES, pct(graph, 0.5), pct(graph, 0.99), pct(total, 0.5),
                        pct(total, 0.99), before / (QUERIES * (double) K), after / (QUERIES * (double) K));
            }
            EmbeddingIndex.deleteTree(dir);
        } finally {
            pool.shutdownNow();
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.println("GPTLens explorer benchmark; " + THREADS + " CPUs; Java " + Runtime.version());
        Path work = Files.createTempDirectory("gptlens-explorer-bench");
        String only = System.getProperty("bench.only", "all");
        List<String> which = only.equals("all") ? List.of("minilm", "structured-896", "random-896", "structured-4096")
                : Arrays.asList(only.split(","));
        if (which.contains("minilm")) {
            Path gguf = work.resolve("all-minilm-l6-v2.gguf");
            MiniLmImporter.convert(gguf);
            try (Model m = new LlamaBackend().load(gguf, LoadOptions.defaults(), null)) {
                run("all-MiniLM-L6-v2 W_E", m.tokenizer().vocabularySize(), m.info().embeddingLength(), m::embeddingRow, work.resolve("minilm"));
            }
        }
        if (which.contains("structured-896")) {
            run("structured (clusters, norms, duplicates)", 152_064, 896, i -> SyntheticEmbeddings.structuredRow(i, 896, 7), work.resolve("s896"));
        }
        if (which.contains("random-896")) {
            run("random Gaussian", 152_064, 896, i -> SyntheticEmbeddings.gaussianRow(i, 896, 7), work.resolve("r896"));
        }
        if (which.contains("structured-4096")) {
            run("structured, Llama-3-8B-sized", 128_256, 4096, i -> SyntheticEmbeddings.structuredRow(i, 4096, 7), work.resolve("s4096"));
        }
        EmbeddingIndex.deleteTree(work);
    }
}
