package io.gptlens.llamacpp;

import io.gptlens.core.distribution.Softmax;
import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.steering.ControlVectorFile;
import io.gptlens.core.steering.Direction;
import io.gptlens.core.steering.Steering;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steering stories260K through llama.cpp's control vector, against a direct computation: a vector
 * added after the last block reaches the logits through the final RMS norm and W_U only, so the
 * steered logits are {@code W_U (rmsnorm(h + s v) * w)} with {@code h} the unsteered last residual.
 */
class SteeringTest extends StoriesTestBase {

    static final int TARGET = 432; // a token whose W_U row is the direction
    static int[] prompt;
    static float[] residual; // after the last block, at the last token, unsteered

    @BeforeAll
    static void prepare() {
        prompt = model.tokenizer().encode("Once upon a time", true, false);
        residual = model.internals(prompt).residual().getLast()[prompt.length - 1];
    }

    private static float[] unit(float[] v) {
        double n = 0;
        for (float x : v) {
            n += x * x;
        }
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = (float) (v[i] / Math.sqrt(n));
        }
        return u;
    }

    /** The logits the model must give with {@code add} added to the last block's output: final norm and W_U, computed here. */
    private static double[] expected(float[] add) throws Exception {
        GgufFile g = model.gguf().orElseThrow();
        float[] w = g.row(g.tensor("output_norm.weight").orElseThrow(), 0);
        double eps = ((io.gptlens.core.gguf.GgufValue.Float) g.get("llama.attention.layer_norm_rms_epsilon").orElseThrow()).value();
        int d = residual.length;
        double[] h = new double[d];
        double ms = 0;
        for (int i = 0; i < d; i++) {
            h[i] = residual[i] + (add == null ? 0 : add[i]);
            ms += h[i] * h[i];
        }
        double scale = 1 / Math.sqrt(ms / d + eps);
        int vocab = model.tokenizer().vocabularySize();
        double[] logits = new double[vocab];
        for (int t = 0; t < vocab; t++) {
            float[] u = model.unembeddingRow(t);
            double dot = 0;
            for (int i = 0; i < d; i++) {
                dot += h[i] * scale * w[i] * u[i];
            }
            logits[t] = dot;
        }
        return logits;
    }

    private static float[] logits(float[][] steer) {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(64))) {
            s.steer(steer);
            s.evaluate(Batch.of(prompt, 0, 0));
            return s.logits(-1);
        }
    }

    private static double p(float[] logits, int token) {
        return Math.exp(logits[token] - Softmax.logSumExp(logits));
    }

    private static Direction toward(int token) {
        int layers = model.info().layers();
        float[][] v = new float[layers][];
        v[layers - 1] = unit(model.unembeddingRow(token));
        return new Direction("toward " + token, v[layers - 1].length, v);
    }

    @Test
    void aDirectionAfterTheLastBlockMovesTheLogitsExactlyAsComputed() throws Exception {
        int layers = model.info().layers();
        Direction d = toward(TARGET);
        float[] plain = logits(null);
        double pPlain = p(plain, TARGET);
        for (double strength : new double[]{3, -3}) {
            float[][] add = Steering.combine(List.of(Steering.of(d, strength)), layers, model.info().embeddingLength());
            float[] steered = logits(add);
            double[] want = expected(add[layers - 1]);
            for (int t = 0; t < want.length; t++) {
                assertEquals(want[t], steered[t], 2e-3, "logit of token " + t + " at strength " + strength);
            }
            double pSteered = p(steered, TARGET);
            assertTrue(strength > 0 ? pSteered > pPlain : pSteered < pPlain,
                    "p(" + TARGET + ") " + pPlain + " -> " + pSteered + " at strength " + strength);
        }
        // strength 0 is no steering at all: the very same logits
        assertEquals(null, Steering.combine(List.of(Steering.of(d, 0)), layers, model.info().embeddingLength()));
        assertArrayEquals(plain, logits(null));
        double[] want = expected(null);
        for (int t = 0; t < want.length; t++) {
            assertEquals(want[t], plain[t], 2e-3);
        }
    }

    @Test
    void aSteeredSessionClearedIsThePlainModelAgain() {
        int layers = model.info().layers();
        float[] plain = logits(null);
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(64))) {
            s.steer(Steering.combine(List.of(Steering.of(toward(TARGET), 5)), layers, model.info().embeddingLength()));
            s.evaluate(Batch.of(prompt, 0, 0));
            assertTrue(Math.abs(s.logits(-1)[TARGET] - plain[TARGET]) > 0.1);
            s.steer(null);
            s.clear();
            s.evaluate(Batch.of(prompt, 0, 0));
            assertArrayEquals(plain, s.logits(-1));
        }
    }

    @Test
    void aControlVectorFileSteersAsTheDirectionItHolds(@TempDir Path dir) throws Exception {
        int layers = model.info().layers();
        Direction d = toward(TARGET);
        Path file = dir.resolve("toward.gguf");
        ControlVectorFile.write(d, model.info().architecture(), file);
        Direction back = ControlVectorFile.read(file, d.name(), layers, model.info().embeddingLength());
        assertEquals(d, back);
        float[][] add = Steering.combine(List.of(Steering.of(back, 2)), layers, model.info().embeddingLength());
        double[] want = expected(add[layers - 1]);
        float[] got = logits(add);
        for (int t = 0; t < want.length; t++) {
            assertEquals(want[t], got[t], 2e-3);
        }
    }

    @Test
    void shapesThatDoNotFitAreRefused() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(16))) {
            assertThrows(IllegalArgumentException.class, () -> s.steer(new float[3][]));
            float[][] zero = new float[model.info().layers()][];
            zero[0] = new float[model.info().embeddingLength()];
            assertThrows(IllegalArgumentException.class, () -> s.steer(zero));
            float[][] narrow = new float[model.info().layers()][];
            narrow[2] = new float[7];
            assertThrows(IllegalArgumentException.class, () -> s.steer(narrow));
        }
    }
}
