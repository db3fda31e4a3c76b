package io.gptlens.core.model;

import io.gptlens.core.distribution.Softmax;

import java.util.List;

/**
 * Causal tracing by activation patching: a clean prompt and a corrupted one of the same length, and
 * a target token. For each layer and position the corrupted prompt is run again with the residual
 * after that layer, at that position, copied from the clean run; how much of the clean target
 * probability comes back is {@code (p_patched - p_corrupted) / (p_clean - p_corrupted)}: 1 where that
 * one vector carries all that the corruption took away, 0 where it carries nothing.
 *
 * @param clean     the clean run's probability of the target
 * @param corrupted the corrupted run's
 * @param recovered {@code [layer][position]}: the recovered fraction (NaN when the two runs give the target the same probability)
 * @param patched   {@code [layer][position]}: the target's probability in that patched run
 */
public record CausalTrace(double clean, double corrupted, double[][] recovered, double[][] patched) {

    /**
     * Traces {@code target} over every layer and position.
     *
     * @throws IllegalArgumentException when the prompts differ in length or the target is not a token
     */
    public static CausalTrace run(Model model, int[] clean, int[] corrupted, int target) {
        return run(model, clean, corrupted, target, (done, total) -> {
        });
    }

    /** Told after each patched run; a sweep on a real model runs hundreds. */
    @FunctionalInterface
    public interface Progress {
        void ran(int done, int total);
    }

    /**
     * Traces {@code target} over every layer and position, telling {@code progress} after each run.
     *
     * @throws IllegalArgumentException when the prompts differ in length or the target is not a token
     * @throws java.util.concurrent.CancellationException when the calling thread is interrupted (it stays interrupted)
     */
    public static CausalTrace run(Model model, int[] clean, int[] corrupted, int target, Progress progress) {
        if (clean.length != corrupted.length || clean.length == 0) {
            throw new IllegalArgumentException("The clean and the corrupted prompt need the same number of tokens, got " + clean.length
                    + " and " + corrupted.length);
        }
        model.tokenizer().checkToken(target);
        int n = clean.length;
        int layers = model.info().layers();
        Internals in = model.internals(clean, new Internals.Capture(java.util.Set.of(), java.util.Set.of(), 0, 0, 0, n));
        double pClean = p(model.patchedLogits(clean, List.of()), target);
        double[][] recovered = new double[layers][n];
        double[][] patched = new double[layers][n];
        double pCorrupted;
        // one patcher for the sweep: a backend may keep what the runs share (llama.cpp: the unpatched prompt's cache)
        try (Patcher corruptedRuns = model.patcher(corrupted)) {
            pCorrupted = p(corruptedRuns.logits(List.of()), target);
            int total = (layers - 1) * n + 1;
            int done = 0;
            for (int pos = 0; pos < n; pos++) {
                for (int l = 0; l < layers; l++) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new java.util.concurrent.CancellationException("Causal trace stopped after " + done + " of " + total + " runs");
                    }
                    // the last layer's rows but the last do not reach the last position: patching one changes nothing
                    patched[l][pos] = l == layers - 1 && pos < n - 1 ? pCorrupted
                            : p(corruptedRuns.logits(List.of(new Patch(l, pos, in.residual().get(l)[pos]))), target);
                    if (l < layers - 1 || pos == n - 1) {
                        progress.ran(++done, total);
                    }
                }
            }
        }
        for (int l = 0; l < layers; l++) {
            for (int pos = 0; pos < n; pos++) {
                recovered[l][pos] = pClean == pCorrupted ? Double.NaN : (patched[l][pos] - pCorrupted) / (pClean - pCorrupted) + 0.0; // no -0.0
            }
        }
        return new CausalTrace(pClean, pCorrupted, recovered, patched);
    }

    private static double p(float[] logits, int token) {
        return Math.exp(logits[token] - Softmax.logSumExp(logits));
    }
}
