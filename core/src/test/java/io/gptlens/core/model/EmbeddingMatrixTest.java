package io.gptlens.core.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EmbeddingMatrixTest {

    @Test
    void shapesAreWrittenInTheOrderTheyMultiply() {
        EmbeddingMatrix wu = new EmbeddingMatrix(EmbeddingMatrix.Role.UNEMBEDDING, "token_embd.weight", 151_936, 896, true, i -> new float[896]);
        assertEquals("896 × 151,936 = 136,134,656", wu.shape()); // 896 · 151,936 = 136,134,656
        EmbeddingMatrix we = new EmbeddingMatrix(EmbeddingMatrix.Role.EMBEDDING, "token_embd.weight", 512, 64, false, i -> new float[] {i});
        assertEquals("512 × 64 = 32,768", we.shape());
        assertEquals(32_768L, we.size());
    }

    @Test
    void rowsAreCheckedAgainstTheVocabulary() {
        EmbeddingMatrix we = new EmbeddingMatrix(EmbeddingMatrix.Role.EMBEDDING, "token_embd.weight", 3, 1, false, i -> new float[] {i});
        assertArrayEquals(new float[] {2}, we.row(2));
        assertEquals("Token id 3 is outside W_E's 3 rows", assertThrows(IllegalArgumentException.class, () -> we.row(3)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> we.row(-1));
    }
}
