package io.gptlens.web.explorer.bench;

import io.gptlens.core.embedding.TokenFlags;
import io.gptlens.core.embedding.Vectors;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.llamacpp.LlamaBackend;
import io.gptlens.web.explorer.index.EmbeddingIndex;
import io.gptlens.web.models.builtin.MiniLmImporter;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Prints index build time, size on disk, query latency (p50/p99, k = 10, with and without a
 * filter) and recall@10 before re-ranking, beside exact brute-force search with the Vector API,
 * for all-MiniLM-L6-v2's W_E (30522 × 384) and a random 152,064 × 896 matrix.
 * Run: {@code ./mvnw -q -pl core,runtime-native,web-ui -am install -DskipTests && ./mvnw -q -pl web-ui exec:exec@bench}
 * (add {@code -Dbench.only=minilm} to skip the large matrix).
 */
public final class ExplorerBench {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int QUERIES = 1000;

    private ExplorerBench() {
    }

    static float dot(float[] a, float[] b) {
        return io.gptlens.web.explorer.SimdDot.dot(a, b);
    }

    /** Exact top-k ids by dot product on unit rows, excluding {@code self}; allowed[] may be null. */
    static int[] exact(float[][] unit, float[] q, int k, int self, boolean[] allowed) {
        int[] best = new int[k];
        float[] score = new float[k];
        Arrays.fill(score, Float.NEGATIVE_INFINITY);
        Arrays.fill(best, -1);
        for (int i = 0; i < unit.length; i++) {
            if (i == self || (allowed != null && !allowed[i])) {
                continue;
            }
            float s = dot(unit[i], q);
            if (s > score[k - 1]) {
                int j = k - 1;
                while (j > 0 && score[j - 1] < s) {
                    score[j] = score[j - 1];
                    best[j] = best[j - 1];
                    j--;
                }
                score[j] = s;
                best[j] = i;
            }
        }
        return best;
    }

    static double pct(double[] ms, double p) {
        double[] s = ms.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p * s.length) - 1)];
    }

    static void run(String name, float[][] rows, TokenFlags[] flags, Path dir) throws Exception {
        int n = rows.length;
        int d = rows[0].length;
        System.out.printf("%n== %s: %d × %d ==%n", name, n, d);
        long t0 = System.nanoTime();
        EmbeddingIndex.deleteTree(dir);
        try (EmbeddingIndex idx = EmbeddingIndex.build(dir, n, i -> rows[i], i -> flags[i], null)) {
            double buildS = (System.nanoTime() - t0) / 1e9;
            System.out.printf("index build: %.1f s (%.0f rows/s), %s on disk (two HNSW graphs, M=32, beam 200, float32)%n", buildS, n / buildS,
                    io.gptlens.web.models.DownloadService.size(EmbeddingIndex.sizeOnDisk(dir)));
            float[][] unit = new float[n][];
            boolean[] alpha = new boolean[n];
            for (int i = 0; i < n; i++) {
                unit[i] = Vectors.normalize(rows[i]);
                alpha[i] = flags[i].alphabetic() && flags[i].wordStart();
            }
            Random r = new Random(42);
            int[] qs = r.ints(QUERIES, 0, n).toArray();
            for (boolean filtered : new boolean[]{false, true}) {
                EmbeddingIndex.Filter f = filtered ? new EmbeddingIndex.Filter(true, true, false) : EmbeddingIndex.Filter.NONE;
                for (int warm = 0; warm < 100; warm++) {
                    idx.nearest(unit[qs[warm]], 10, 100, EmbeddingIndex.Metric.COSINE, f, Set.of(qs[warm]));
                }
                double[] ms = new double[QUERIES];
                double[] exactMs = new double[QUERIES];
                int hits = 0;
                for (int q = 0; q < QUERIES; q++) {
                    int t = qs[q];
                    long a = System.nanoTime();
                    var res = idx.nearest(unit[t], 10, 100, EmbeddingIndex.Metric.COSINE, f, Set.of(t));
                    ms[q] = (System.nanoTime() - a) / 1e6;
                    long b = System.nanoTime();
                    int[] truth = exact(unit, unit[t], 10, t, filtered ? alpha : null);
                    exactMs[q] = (System.nanoTime() - b) / 1e6;
                    float tenth = truth[9] < 0 ? Float.NEGATIVE_INFINITY : dot(unit[t], unit[truth[9]]) - 1e-6f;
                    Set<Integer> got = new HashSet<>();
                    for (var h : res) {
                        got.add(h.id());
                        hits += dot(unit[t], unit[h.id()]) >= tenth ? 1 : 0;
                    }
                }
                System.out.printf("%-16s HNSW k=10 (beam 100): p50 %.2f ms, p99 %.2f ms; recall@10 before re-rank %.4f | exact Vector API scan: p50 %.2f ms, p99 %.2f ms%n",
                        filtered ? "filter words+alpha" : "no filter", pct(ms, 0.5), pct(ms, 0.99), hits / (QUERIES * 10.0), pct(exactMs, 0.5), pct(exactMs, 0.99));
            }
        }
    }

    public static void main(String[] args) throws Exception {
        System.out.println("GPTLens explorer benchmark; " + Runtime.getRuntime().availableProcessors() + " CPUs; Java " + Runtime.version()
                + "; Vector API species " + S);
        Path work = Files.createTempDirectory("gptlens-explorer-bench");
        Path gguf = work.resolve("all-minilm-l6-v2.gguf");
        MiniLmImporter.convert(gguf);
        try (Model m = new LlamaBackend().load(gguf, LoadOptions.defaults(), null)) {
            int n = m.tokenizer().vocabularySize();
            float[][] rows = new float[n][];
            TokenFlags[] flags = new TokenFlags[n];
            for (int i = 0; i < n; i++) {
                rows[i] = m.embeddingRow(i);
                flags[i] = TokenFlags.of(m.tokenizer(), i, true);
            }
            run("all-MiniLM-L6-v2 W_E", rows, flags, work.resolve("minilm"));
        }
        if ("minilm".equals(System.getProperty("bench.only"))) {
            return;
        }
        int n = 152_064;
        int d = 896;
        Random r = new Random(7);
        float[][] rows = new float[n][d];
        TokenFlags[] flags = new TokenFlags[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                rows[i][j] = (float) r.nextGaussian();
            }
            boolean word = i % 3 != 0;
            flags[i] = new TokenFlags(false, false, word, word && i % 2 == 0, false, "t" + i);
        }
        run("random", rows, flags, work.resolve("random"));
        List.of(work).forEach(p -> {
        });
    }
}
