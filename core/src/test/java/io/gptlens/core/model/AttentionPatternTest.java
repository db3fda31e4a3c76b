package io.gptlens.core.model;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionPatternTest {

    /** Three tokens, two layers of two heads; layer 1 was not captured, nor head 1 of layer 0. */
    private static Internals captured() {
        float[][] head0 = {{1f, 0f, 0f}, {0.25f, 0.75f, 0f}, {0.5f, 0.125f, 0.375f}};
        List<float[][][]> attention = new ArrayList<>();
        attention.add(new float[][][]{head0, null});
        attention.add(null);
        float[][] residual = new float[3][4];
        return new Internals(new int[]{1, 7, 9}, attention, List.of(residual, residual), List.of(new float[3], new float[3]));
    }

    @Test
    void aPatternHoldsTheRowsAskedForAtTheirPositions() {
        AttentionPattern p = AttentionPattern.of(captured(), 0, 0, 1, 3);
        assertEquals(1, p.queryFrom());
        assertEquals(3, p.queryTo());
        assertEquals(3, p.keys());
        assertEquals(0.75f, p.weight(1, 1));
        assertEquals(0.125f, p.weight(2, 1));
        assertArrayEquals(new float[]{0.5f, 0.125f, 0.375f}, p.row(2));
        assertEquals(2, p.weights().length);
    }

    @Test
    void theWholePromptIsEveryRow() {
        AttentionPattern p = AttentionPattern.of(captured(), 0, 0, 0, 3);
        for (int q = p.queryFrom(); q < p.queryTo(); q++) {
            double sum = 0;
            for (float w : p.row(q)) {
                sum += w;
            }
            assertEquals(1.0, sum, 1e-9, "row " + q);
        }
    }

    @Test
    void whatWasNotCapturedIsRefusedByName() {
        Internals in = captured();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AttentionPattern.of(in, 1, 0, 0, 3)).getMessage().contains("layer 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AttentionPattern.of(in, 0, 1, 0, 3)).getMessage().contains("head 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AttentionPattern.of(in, 2, 0, 0, 3)).getMessage().contains("layer 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AttentionPattern.of(in, 0, 0, 2, 4)).getMessage().contains("[2, 4)"));
    }

    @Test
    void aPatternIsACopy() {
        float[][] rows = {{1f}};
        AttentionPattern p = new AttentionPattern(0, 0, 0, rows);
        rows[0] = new float[]{0f};
        assertEquals(1f, p.weight(0, 0));
    }
}
