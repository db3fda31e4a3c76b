package io.gptlens.llamacpp;

import io.gptlens.core.model.Internals;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.Patch;
import io.gptlens.core.model.Patcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The sweep of a causal trace (one run per layer and position of the corrupted prompt, each with one
 * clean residual patched in), two ways, interleaved A B A B: A runs every patch as
 * {@link Model#patchedLogits} does (a context of its own, the whole prompt in one batch); B through one
 * {@link Model#patcher}, which keeps the unpatched prefix's cache and computes only the positions from
 * the patch on. Prints each round's seconds, the ratio and the largest logit difference between the two.
 * Run with {@code ./mvnw -q -pl runtime-native exec:exec@bench-patching -Dmodels=PATH[,PATH]}
 * (stories260K always, first).
 */
public final class PatchingBench {

    private static final String CLEAN = "Lily went to the park with her mom. She saw a big dog. Then Lily";
    private static final String CORRUPTED = "Tim went to the park with her mom. She saw a big dog. Then Lily";

    private PatchingBench() {
    }

    public static void main(String[] args) throws java.io.IOException {
        System.setProperty("gptlens.preflight", "false");
        int rounds = Integer.getInteger("rounds", 2);
        for (Path file : TestFiles.benchModels()) {
            try (Model m = new LlamaBackend().load(file, LoadOptions.defaults(), null)) {
                int[] clean = m.tokenizer().encode(CLEAN, true, false);
                int[] corrupted = m.tokenizer().encode(CORRUPTED, true, false);
                int n = Math.min(clean.length, corrupted.length);
                clean = java.util.Arrays.copyOf(clean, n);
                corrupted = java.util.Arrays.copyOf(corrupted, n);
                int layers = m.info().layers();
                Internals in = m.internals(clean, new Internals.Capture(Set.of(), Set.of(), 0, 0, 0, n));
                double[] a = new double[rounds];
                double[] b = new double[rounds];
                double worst = 0;
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    float[][] fresh = new float[layers * n][];
                    for (int pos = 0; pos < n; pos++) {
                        for (int l = 0; l < layers - 1; l++) {
                            fresh[pos * layers + l] = m.patchedLogits(corrupted, List.of(new Patch(l, pos, in.residual().get(l)[pos])));
                        }
                    }
                    a[r] = (System.nanoTime() - t0) / 1e9;
                    t0 = System.nanoTime();
                    try (Patcher p = m.patcher(corrupted)) {
                        for (int pos = 0; pos < n; pos++) {
                            for (int l = 0; l < layers - 1; l++) {
                                float[] kept = p.logits(List.of(new Patch(l, pos, in.residual().get(l)[pos])));
                                for (int i = 0; i < kept.length; i++) {
                                    worst = Math.max(worst, Math.abs(kept[i] - fresh[pos * layers + l][i]));
                                }
                            }
                        }
                    }
                    b[r] = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("%s, %d tokens x %d layers: round %d  A fresh contexts %.2f s  B kept prefix %.2f s  (A/B %.2f)%n",
                            file.getFileName(), n, layers - 1, r + 1, a[r], b[r], a[r] / b[r]);
                }
                System.out.printf("%s: A/B over %d rounds %.2f; largest logit difference %.2e%n", file.getFileName(), rounds,
                        java.util.Arrays.stream(a).sum() / java.util.Arrays.stream(b).sum(), worst);
            }
        }
    }
}
