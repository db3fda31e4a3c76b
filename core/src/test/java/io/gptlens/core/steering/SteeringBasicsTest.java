package io.gptlens.core.steering;

import io.gptlens.core.gguf.GgmlType;
import io.gptlens.core.gguf.GgufException;
import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SteeringBasicsTest {

    /** Prompts whose residuals at every layer are {@code base_i + a_i u} (positive) and {@code base_i} (negative). */
    private static List<List<float[][]>> planted(float[] u, double[] a, int layers, long seed) {
        Random r = new Random(seed);
        List<float[][]> pos = new ArrayList<>();
        List<float[][]> neg = new ArrayList<>();
        for (double ai : a) {
            float[][] p = new float[layers][u.length];
            float[][] n = new float[layers][u.length];
            for (int l = 0; l < layers; l++) {
                for (int j = 0; j < u.length; j++) {
                    n[l][j] = (float) r.nextGaussian();
                    p[l][j] = (float) (n[l][j] + ai * u[j]);
                }
            }
            pos.add(p);
            neg.add(n);
        }
        return List.of(pos, neg);
    }

    @Test
    void bothMethodsFindAPlantedDirectionWithItsMeanSize() {
        float[] u = {0.6f, 0, -0.8f, 0}; // unit length
        double[] a = {1, 2, 3, 6};
        List<List<float[][]>> sides = planted(u, a, 4, 1);
        for (Contrastive.Method m : Contrastive.Method.values()) {
            Direction d = Contrastive.direction("planted", sides.get(0), sides.get(1), m, 1, 3);
            assertNull(d.at(0));
            for (int l = 1; l <= 3; l++) {
                for (int j = 0; j < u.length; j++) {
                    assertEquals(3.0 * u[j], d.at(l)[j], 1e-5, m + " layer " + l + " value " + j); // mean of a = 3
                }
            }
        }
    }

    @Test
    void pcaKeepsTheDirectionTheDifferencesShareWhenTheMeanIsSmall() {
        float[] u = {0, 1, 0};
        // the differences point along +u and -u with different lengths: their mean is small, the principal axis is u
        double[] a = {4, -3, 5, -4};
        List<List<float[][]>> sides = planted(u, a, 2, 2);
        Direction pca = Contrastive.direction("axis", sides.get(0), sides.get(1), Contrastive.Method.PCA, 1, 1);
        assertEquals(0, pca.at(1)[0], 1e-5);
        assertEquals(0, pca.at(1)[2], 1e-5);
        assertEquals(0.5, pca.at(1)[1], 1e-4, "sign of the mean difference (+0.5), length the mean projection"); // mean a = 0.5
        assertThrows(IllegalArgumentException.class,
                () -> Contrastive.direction("x", sides.get(0), sides.get(1).subList(0, 3), Contrastive.Method.PCA, 1, 1));
    }

    @Test
    void combiningAddsStrengthsAndZeroIsNothing() {
        Direction a = Direction.uniform("a", new float[]{1, 2}, 4, 1, 3);
        Direction b = Direction.uniform("b", new float[]{0, 1}, 4, 2, 2);
        float[][] sum = Steering.combine(List.of(new Steering(a, 2, 1, 2), Steering.of(b, -1)), 4, 2);
        assertNull(sum[0]);
        assertArrayEquals(new float[]{2, 4}, sum[1]);
        assertArrayEquals(new float[]{2, 3}, sum[2]);
        assertNull(sum[3], "a is applied to layers 1..2 only");
        assertNull(Steering.combine(List.of(Steering.of(a, 0)), 4, 2));
        assertNull(Steering.combine(List.of(), 4, 2));
        assertThrows(IllegalArgumentException.class, () -> Steering.combine(List.of(Steering.of(a, 1)), 5, 2), "another model's shape");
        assertThrows(IllegalArgumentException.class, () -> new Steering(a, 1, 0, 2), "layer 0 cannot be steered");
        assertThrows(IllegalArgumentException.class, () -> new Steering(a, Double.NaN, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> Direction.uniform("nan", new float[]{Float.NaN}, 3, 1, 2));
    }

    @Test
    void aFileMadeByTheFormatsRulesIsRead(@TempDir Path dir) throws Exception {
        // what llama.cpp's cvector-generator writes: an architecture, a hint, a count, direction.N tensors (N from 1)
        Path file = dir.resolve("made.gguf");
        new GgufWriter().putString("general.architecture", "controlvector").putString("controlvector.model_hint", "llama")
                .putInt32("controlvector.layer_count", 2)
                .addTensor("direction.1", new float[]{1, 0, 0}, 3)
                .addTensor("direction.3", new float[]{0, 0.5f, -2}, 3)
                .addTensor("notes.other", new float[]{9}, 1) // not a direction: skipped, as llama.cpp skips it
                .write(file);
        Direction d = ControlVectorFile.read(file, "made", 4, 3);
        assertArrayEquals(new float[]{1, 0, 0}, d.at(1));
        assertNull(d.at(2));
        assertArrayEquals(new float[]{0, 0.5f, -2}, d.at(3));
        assertArrayEquals(new int[]{1, 3}, d.span());
        // and what GPTLens writes holds the same keys
        Path mine = dir.resolve("mine.gguf");
        ControlVectorFile.write(d, "llama", mine);
        try (GgufFile g = GgufFile.open(mine)) {
            assertEquals("controlvector", g.architecture());
            assertEquals("llama", g.getString("controlvector.model_hint").orElseThrow());
            assertEquals(2L, g.getLong("controlvector.layer_count").orElseThrow());
            assertEquals(List.of("direction.1", "direction.3"), g.tensors().keySet().stream().sorted().toList());
        }
    }

    @Test
    void filesThatDoNotFitSayWhy(@TempDir Path dir) throws Exception {
        Path zero = dir.resolve("zero.gguf");
        new GgufWriter().putString("general.architecture", "controlvector").addTensor("direction.0", new float[]{1, 2, 3}, 3).write(zero);
        assertTrue(assertThrows(GgufException.class, () -> ControlVectorFile.read(zero, "z", 4, 3)).getMessage().contains("layer 0"));
        Path wide = dir.resolve("wide.gguf");
        new GgufWriter().putString("general.architecture", "controlvector").addTensor("direction.1", new float[]{1, 2}, 2).write(wide);
        assertTrue(assertThrows(GgufException.class, () -> ControlVectorFile.read(wide, "w", 4, 3)).getMessage().contains("3 values"));
        Path f16 = dir.resolve("f16.gguf");
        new GgufWriter().putString("general.architecture", "controlvector").addTensor("direction.1", GgmlType.F16, new byte[6], 3).write(f16);
        assertTrue(assertThrows(GgufException.class, () -> ControlVectorFile.read(f16, "h", 4, 3)).getMessage().contains("F32"));
        Path none = dir.resolve("none.gguf");
        new GgufWriter().putString("general.architecture", "llama").addTensor("token_embd.weight", new float[]{1, 2, 3}, 3).write(none);
        assertTrue(assertThrows(GgufException.class, () -> ControlVectorFile.read(none, "n", 4, 3)).getMessage().contains("not a control vector"));
        Path name = dir.resolve("name.gguf");
        new GgufWriter().putString("general.architecture", "controlvector").addTensor("direction.x", new float[]{1, 2, 3}, 3).write(name);
        assertTrue(assertThrows(GgufException.class, () -> ControlVectorFile.read(name, "x", 4, 3)).getMessage().contains("no layer number"));
    }
}
