package io.gptlens.llamacpp;

import io.gptlens.core.model.CausalTrace;
import io.gptlens.core.model.Internals;
import io.gptlens.core.model.Patch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Activation patching on stories260K through llama.cpp's eval callback: a row written into
 * {@code l_out-N} reaches the logits, and copying the clean run's last-position residual into the
 * corrupted run gives back the clean logits.
 */
class PatchingTest extends StoriesTestBase {

    static final String CLEAN = "Lily went to the park. Lily";
    static final String CORRUPTED = "Tim went to the park. Lily";

    private static void assertClose(float[] want, float[] got, double tol, String what) {
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs(want[i] - got[i]));
        }
        assertTrue(worst <= tol, what + ": largest difference " + worst);
    }

    @Test
    void patchingEveryLayerAtTheLastPositionWithTheCleanRunGivesTheCleanLogits() {
        int[] clean = model.tokenizer().encode(CLEAN, true, false);
        int[] corrupted = model.tokenizer().encode(CORRUPTED, true, false);
        assertEquals(clean.length, corrupted.length, "the names are one token each ('Tom' is two in this vocabulary)");
        int n = clean.length;
        Internals in = model.internals(clean, new Internals.Capture(java.util.Set.of(), java.util.Set.of(), 0, 0, 0, n));
        float[] cleanLogits = model.patchedLogits(clean, List.of());
        float[] corruptedLogits = model.patchedLogits(corrupted, List.of());
        double differ = 0;
        for (int i = 0; i < cleanLogits.length; i++) {
            differ = Math.max(differ, Math.abs(cleanLogits[i] - corruptedLogits[i]));
        }
        assertTrue(differ > 0.01, "the corruption changes the logits: " + differ);
        List<Patch> all = new ArrayList<>();
        for (int l = 0; l < model.info().layers(); l++) {
            all.add(new Patch(l, n - 1, in.residual().get(l)[n - 1]));
        }
        assertClose(cleanLogits, model.patchedLogits(corrupted, all), 1e-4, "every layer patched at the last position");
        // the last layer alone carries it all; a change written there reaches the logits
        assertClose(cleanLogits, model.patchedLogits(corrupted, List.of(all.getLast())), 1e-4, "the last layer patched");
        float[] zero = new float[model.info().embeddingLength()];
        float[] zeroed = model.patchedLogits(clean, List.of(new Patch(model.info().layers() - 1, n - 1, zero)));
        for (int i = 0; i < zeroed.length; i++) {
            assertEquals(0f, zeroed[i], 1e-6f, "a zero residual gives zero logits through RMS norm and W_U (no bias)");
        }
    }

    @Test
    void theTraceRecoversAllAtTheLastLayerAndNothingWhereNothingDiffers() {
        int[] clean = model.tokenizer().encode(CLEAN, true, false);
        int[] corrupted = model.tokenizer().encode(CORRUPTED, true, false);
        int n = clean.length;
        // the target: the token whose probability the corruption changes most, so the recovered fraction is well defined
        float[] cl = model.patchedLogits(clean, List.of());
        float[] co = model.patchedLogits(corrupted, List.of());
        double lc = io.gptlens.core.distribution.Softmax.logSumExp(cl);
        double lo = io.gptlens.core.distribution.Softmax.logSumExp(co);
        int target = 0;
        for (int t = 1; t < cl.length; t++) {
            target = Math.exp(cl[t] - lc) - Math.exp(co[t] - lo) > Math.exp(cl[target] - lc) - Math.exp(co[target] - lo) ? t : target;
        }
        CausalTrace trace = CausalTrace.run(model, clean, corrupted, target);
        int last = model.info().layers() - 1;
        assertEquals(1.0, trace.recovered()[last][n - 1], 1e-3, "the last layer's last residual is the whole clean answer");
        for (int pos = 0; pos < n - 1; pos++) {
            assertEquals(0.0, trace.recovered()[last][pos], 1e-9, "the last layer's other rows never reach the last position");
        }
        // position 1 and on, up to the first difference, are the same in both runs: copying them changes nothing
        assertEquals(0.0, trace.recovered()[0][0], 1e-3, "<s> is the same in both prompts");
        System.out.printf("Causal trace of %d on '%s' vs '%s': p clean %.4f, corrupted %.4f%n", target, CLEAN, CORRUPTED, trace.clean(), trace.corrupted());
        for (int l = 0; l <= last; l++) {
            StringBuilder b = new StringBuilder("  layer " + l + ":");
            for (int pos = 0; pos < n; pos++) {
                b.append(String.format(java.util.Locale.ROOT, " %6.3f", trace.recovered()[l][pos]));
            }
            System.out.println(b);
        }
    }

    @Test
    void aPatcherThatKeepsThePrefixGivesWhatAFreshRunGives() {
        int[] clean = model.tokenizer().encode(CLEAN, true, false);
        int[] corrupted = model.tokenizer().encode(CORRUPTED, true, false);
        int n = clean.length;
        Internals in = model.internals(clean, new Internals.Capture(java.util.Set.of(), java.util.Set.of(), 0, 0, 0, n));
        java.util.Random random = new java.util.Random(7);
        // not bit for bit: the patched run's own positions sit in other cache cells and batch shapes, and an
        // off-distribution residual amplifies that rounding (unpatched, the two agree to 1.3e-4; logits reach 15)
        double tol = 5e-3;
        try (var patcher = model.patcher(corrupted)) {
            // positions up, down and repeated: the kept prefix grows, shrinks and stays
            int[] positions = {3, 1, n - 1, 0, 2, 2, n - 2, 1};
            for (int pos : positions) {
                int l = random.nextInt(model.info().layers() - 1);
                List<Patch> patches = List.of(new Patch(l, pos, in.residual().get(l)[pos]));
                assertClose(model.patchedLogits(corrupted, patches), patcher.logits(patches), tol, "layer " + l + ", position " + pos);
            }
            assertClose(model.patchedLogits(corrupted, List.of()), patcher.logits(List.of()), tol, "no patch");
            List<Patch> two = List.of(new Patch(0, 4, in.residual().get(0)[4]), new Patch(2, 2, in.residual().get(2)[2]));
            assertClose(model.patchedLogits(corrupted, two), patcher.logits(two), tol, "two patches");
        }
    }

    @Test
    void closingTheModelClosesAnOpenPatcherAndClosingTwiceIsSafe() throws Exception {
        try (var other = new LlamaBackend().load(TestFiles.stories(), io.gptlens.core.model.LoadOptions.defaults(), p -> { })) {
            int[] clean = other.tokenizer().encode(CLEAN, true, false);
            var patcher = other.patcher(clean);
            assertEquals(other.tokenizer().vocabularySize(), patcher.logits(List.of()).length);
            int d = other.info().embeddingLength();
            other.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> patcher.logits(List.of(new Patch(0, 1, new float[d]))));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            patcher.close();
            patcher.close();
            assertThrows(IllegalStateException.class, () -> patcher.logits(List.of()));
        }
    }

    @Test
    void patchesOutOfRangeAreRefused() {
        int[] clean = model.tokenizer().encode(CLEAN, true, false);
        float[] row = new float[model.info().embeddingLength()];
        assertThrows(IllegalArgumentException.class, () -> model.patchedLogits(clean, List.of(new Patch(99, 0, row))));
        assertThrows(IllegalArgumentException.class, () -> model.patchedLogits(clean, List.of(new Patch(0, 99, row))));
        assertThrows(IllegalArgumentException.class, () -> model.patchedLogits(clean, List.of(new Patch(0, 0, new float[3]))));
        assertThrows(IllegalArgumentException.class, () -> CausalTrace.run(model, clean, new int[]{1, 2}, 5));
    }
}
