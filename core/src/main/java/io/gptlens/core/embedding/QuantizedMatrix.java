package io.gptlens.core.embedding;

import io.gptlens.core.simd.Simd;
import io.gptlens.core.simd.TopK;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * An int8 copy of an embedding matrix for exact nearest-row search without an index: each row
 * {@code x} is stored as {@code s * c} with {@code c} in {@code [-127, 127]} (one scale {@code s}
 * per row, {@code max|x| / 127}), together with the row's exact norm {@code |x|} and the norm of
 * its rounding error {@code E = |x - s c|}.
 *
 * <p><b>Why the answers are exact.</b> For a query {@code q}, {@code q·x = s (q·c) + q·(x - s c)}
 * and, by Cauchy-Schwarz, {@code |q·(x - s c)| <= |q| E}. So one pass over the int8 codes gives
 * every row an interval that holds its true score; the k-th largest lower end is a floor that the
 * true k-th best score reaches, and only rows whose upper end reaches that floor can be among the
 * best k. Those few rows (a dozen or two on a 152k × 896 matrix) are scored again on their float
 * rows, so the result is the exact top k, not an approximation, whatever the data look like.
 *
 * <p>The codes live off the Java heap (one byte per weight: 136 MB for 151,936 × 896), in an
 * arena the caller owns; no float copy of the matrix is kept. Searching is thread-safe and may
 * split the scan over an executor's threads.
 */
public final class QuantizedMatrix {

    /** Relative slack added to every bound for the float rounding of the int8 dot product itself. */
    private static final float ROUNDING = 1e-4f;

    private final int rows;
    private final int dim;
    private final MemorySegment codes;
    private final float[] scale;
    private final float[] norm;
    private final float[] error;

    private QuantizedMatrix(int rows, int dim, MemorySegment codes, float[] scale, float[] norm, float[] error) {
        this.rows = rows;
        this.dim = dim;
        this.codes = codes;
        this.scale = scale;
        this.norm = norm;
        this.error = error;
    }

    /** Progress of {@link #quantize}: rows done of all. */
    public interface Progress {
        void rows(int done, int total);
    }

    /**
     * Quantises {@code rows} rows of {@code dim} floats, read one at a time from {@code row}
     * (so the float matrix is never held whole), into memory of {@code arena}.
     *
     * @throws IllegalArgumentException if a row has the wrong length or a value that is not finite
     */
    public static QuantizedMatrix quantize(int rows, int dim, IntFunction<float[]> row, Arena arena, Progress progress) {
        if (rows < 1 || dim < 1) {
            throw new IllegalArgumentException("A matrix needs rows and columns, got " + rows + " × " + dim);
        }
        MemorySegment codes = arena.allocate((long) rows * dim, 64);
        float[] scale = new float[rows];
        float[] norm = new float[rows];
        float[] error = new float[rows];
        byte[] c = new byte[dim];
        for (int i = 0; i < rows; i++) {
            float[] x = row.apply(i);
            if (x.length != dim) {
                throw new IllegalArgumentException("Row " + i + " has " + x.length + " values, not " + dim);
            }
            double max = 0;
            double sq = 0;
            for (float v : x) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("Row " + i + " holds " + v + ": not a finite number");
                }
                max = Math.max(max, Math.abs(v));
                sq += (double) v * v;
            }
            double s = max / 127;
            double err = 0;
            for (int j = 0; j < dim; j++) {
                int q = s == 0 ? 0 : (int) Math.round(x[j] / s);
                c[j] = (byte) Math.max(-127, Math.min(127, q));
                double e = x[j] - s * c[j];
                err += e * e;
            }
            scale[i] = (float) s;
            norm[i] = (float) Math.sqrt(sq);
            // rounded up a hair so that the float stored never understates the error
            error[i] = (float) (Math.sqrt(err) * (1 + 1e-6)) + Float.MIN_NORMAL;
            MemorySegment.copy(c, 0, codes, ValueLayout.JAVA_BYTE, (long) i * dim, dim);
            if (progress != null && ((i + 1) % 4096 == 0 || i + 1 == rows)) {
                progress.rows(i + 1, rows);
            }
        }
        return new QuantizedMatrix(rows, dim, codes, scale, norm, error);
    }

    public int rows() {
        return rows;
    }

    public int dim() {
        return dim;
    }

    /** Bytes held: the codes and three floats per row. */
    public long bytes() {
        return codes.byteSize() + 12L * rows;
    }

    /** The exact norm of row {@code i}. */
    public float norm(int i) {
        return norm[i];
    }

    /** The answer of a search: ids best first, their exact scores, and how many rows were scored exactly. */
    public record Hits(int[] ids, double[] scores, int rescored) {
    }

    /**
     * The {@code k} rows with the largest cosine (or dot product) with {@code query} among those
     * {@code accept} lets through, exactly: ties broken by the lower id.
     *
     * @param exactRow the float row {@code i} (from the model), for the few rows whose interval
     *                 reaches the floor
     * @param pool     threads to split the scan over, or null for the calling thread alone
     */
    public Hits nearest(float[] query, int k, boolean cosine, IntPredicate accept, IntFunction<float[]> exactRow, ExecutorService pool,
                        int parts) {
        if (query.length != dim) {
            throw new IllegalArgumentException("The query has " + query.length + " values, the rows " + dim);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        float qn = (float) Math.sqrt(Simd.dot(query, query));
        int n = pool == null ? 1 : Math.max(1, Math.min(parts, rows / 4096 + 1));
        List<Part> done = new ArrayList<>();
        if (n == 1) {
            done.add(scan(query, qn, k, cosine, accept, 0, rows));
        } else {
            List<Future<Part>> futures = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                int from = (int) ((long) rows * p / n);
                int to = (int) ((long) rows * (p + 1) / n);
                if (p == n - 1) {
                    done.add(scan(query, qn, k, cosine, accept, from, to)); // the caller takes the last part
                } else {
                    futures.add(pool.submit(() -> scan(query, qn, k, cosine, accept, from, to)));
                }
            }
            for (Future<Part> f : futures) {
                try {
                    done.add(f.get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while searching", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        }
        // the floor: the k-th largest lower bound over all parts
        TopK floor = new TopK(k);
        for (Part p : done) {
            for (int i = 0; i < p.lower.size(); i++) {
                floor.offer(p.lower.id(i), p.lower.score(i));
            }
        }
        float f = floor.size() < k ? Float.NEGATIVE_INFINITY : floor.threshold();
        // rescore, on the float rows, every candidate whose upper bound reaches the floor
        List<double[]> scored = new ArrayList<>();
        for (Part p : done) {
            for (int j = 0; j < p.count; j++) {
                if (p.upper[j] >= f) {
                    int id = p.ids[j];
                    float[] x = exactRow.apply(id);
                    double score = cosine ? Vectors.cosine(query, x) : Vectors.dot(query, x);
                    scored.add(new double[]{score, id});
                }
            }
        }
        scored.sort((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
        int m = Math.min(k, scored.size());
        int[] ids = new int[m];
        double[] scores = new double[m];
        for (int i = 0; i < m; i++) {
            ids[i] = (int) scored.get(i)[1];
            scores[i] = scored.get(i)[0];
        }
        return new Hits(ids, scores, scored.size());
    }

    /** What one part of the scan found: the k best lower bounds, and the rows that may still beat them. */
    private static final class Part {
        final TopK lower;
        int[] ids = new int[256];
        float[] upper = new float[256];
        int count;

        Part(int k) {
            lower = new TopK(k);
        }

        void add(int id, float up) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, 2 * count);
                upper = Arrays.copyOf(upper, 2 * count);
            }
            ids[count] = id;
            upper[count++] = up;
        }

        /** Drops the rows whose upper bound no longer reaches the floor. */
        void prune(float floor) {
            int w = 0;
            for (int r = 0; r < count; r++) {
                if (upper[r] >= floor) {
                    ids[w] = ids[r];
                    upper[w++] = upper[r];
                }
            }
            count = w;
        }
    }

    private Part scan(float[] q, float qn, int k, boolean cosine, IntPredicate accept, int from, int to) {
        Part p = new Part(k);
        float floor = Float.NEGATIVE_INFINITY;
        int pruneAt = 1024;
        for (int i = from; i < to; i++) {
            if (!accept.test(i)) {
                continue;
            }
            float approx = scale[i] * Simd.dotInt8(q, codes, (long) i * dim);
            float slack = qn * error[i] + ROUNDING * qn * norm[i];
            float lo = approx - slack;
            float hi = approx + slack;
            if (cosine) {
                float denom = qn * norm[i];
                if (denom == 0) {
                    lo = 0;
                    hi = 0;
                } else {
                    lo /= denom;
                    hi /= denom;
                }
            }
            if (hi < floor) {
                continue; // cannot be among the best k
            }
            p.lower.offer(i, lo);
            p.add(i, hi);
            floor = p.lower.threshold();
            if (p.count >= pruneAt) {
                p.prune(floor);
                pruneAt = Math.max(1024, 2 * p.count);
            }
        }
        return p;
    }
}
