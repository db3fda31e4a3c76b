package io.gptlens.web.explorer.index;

import io.gptlens.core.embedding.SyntheticEmbeddings;
import io.gptlens.core.embedding.Vectors;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lucene's stock formats refuse more than 1,024 dimensions; GPTLens's format indexes Llama-3-8B's 4,096 and reads them back. */
class HighDimensionIndexTest {

    @Test
    void aFourThousandDimensionIndexIsBuiltReopenedAndSearched() throws Exception {
        int n = 3000;
        int d = 4096;
        float[][] rows = SyntheticEmbeddings.structured(n, d, 9);
        Path dir = Files.createTempDirectory("gptlens-4096").resolve("we");
        try (EmbeddingIndex idx = EmbeddingIndex.build(dir, n, i -> rows[i], null, Thread.ofPlatform().factory())) {
            assertEquals(n, idx.size());
        }
        int hits = 0;
        try (EmbeddingIndex idx = EmbeddingIndex.open(dir)) { // read back through the format's SPI name
            for (int t = 0; t < 50; t++) {
                int q = t * 59;
                List<Integer> exact = IntStream.range(0, n).filter(i -> i != q).boxed()
                        .sorted(Comparator.comparingDouble((Integer i) -> -Vectors.cosine(rows[q], rows[i]))).limit(10).toList();
                double tenth = Vectors.cosine(rows[q], rows[exact.get(9)]) - 1e-6;
                for (var h : idx.nearest(rows[q], 10, 200, Set.of(q))) {
                    hits += Vectors.cosine(rows[q], rows[h.id()]) >= tenth ? 1 : 0;
                }
            }
        } finally {
            EmbeddingIndex.deleteTree(dir.getParent());
        }
        assertTrue(hits / 500.0 >= 0.9, "recall@10 of the 4,096-dimension graph by its own int8 scores: " + hits / 500.0);
    }

    @Test
    void lucenesOwnFormatStopsAt1024() {
        assertEquals(1024, new org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat().getMaxDimensions("unit"));
        assertEquals(HighDimensionFormat.MAX_DIMENSIONS, new HighDimensionFormat().getMaxDimensions("unit"));
    }
}
