package io.gptlens.web.explorer.index;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues;

import java.io.IOException;
import java.util.concurrent.ExecutorService;

/**
 * GPTLens's vector format: Lucene 10.6's int8 scalar-quantised HNSW
 * ({@code Lucene104HnswScalarQuantizedVectorsFormat}, 8-bit codes) under a name of its own, with the
 * dimension limit raised from Lucene's 1,024 to {@link #MAX_DIMENSIONS}, so that the W_E of
 * Llama-3-8B (4,096) or Gemma (2,048-3,840) can be indexed. Reading and writing are Lucene's own;
 * only the limit differs. Registered for Lucene's SPI (the name is written into each segment), so
 * an index this format wrote is opened with it.
 */
public final class HighDimensionFormat extends KnnVectorsFormat {

    /** The SPI name written into segments. */
    public static final String NAME = "GptLensHnswInt8";

    /** The largest dimension accepted: the widest embedding of common open models is 8,192 (70B class). */
    public static final int MAX_DIMENSIONS = 8192;

    private final KnnVectorsFormat delegate;

    /** The format as read back (graph parameters do not matter when reading). */
    public HighDimensionFormat() {
        this(16, 100, 1, null);
    }

    /**
     * @param maxConn      neighbours per graph node
     * @param beamWidth    candidates kept while building the graph
     * @param mergeWorkers threads that build a merged segment's graph ({@code mergeExec} runs them)
     * @param mergeExec    the executor of those threads, or null for the merging thread alone
     */
    public HighDimensionFormat(int maxConn, int beamWidth, int mergeWorkers, ExecutorService mergeExec) {
        super(NAME);
        this.delegate = new Lucene104HnswScalarQuantizedVectorsFormat(QuantizedByteVectorValues.ScalarEncoding.UNSIGNED_BYTE, maxConn,
                beamWidth, mergeExec == null ? 1 : mergeWorkers, mergeExec);
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        return delegate.fieldsWriter(state);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        return delegate.fieldsReader(state);
    }

    @Override
    public int getMaxDimensions(String fieldName) {
        return MAX_DIMENSIONS;
    }

    @Override
    public String toString() {
        return NAME + "(" + delegate + ", max dimensions " + MAX_DIMENSIONS + ")";
    }
}
