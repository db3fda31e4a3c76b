package io.gptlens.web.explorer;

import io.gptlens.core.embedding.TokenFlags;
import io.gptlens.core.embedding.Vectors;
import io.gptlens.core.model.Model;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.llamacpp.LlamaLibrary;
import io.gptlens.web.api.ApiException;
import io.gptlens.web.explorer.index.EmbeddingIndex;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The W_E explorer: one Lucene index per model file (by sha256) and matrix, built in the
 * background with progress and kept in {@code <data>/index/<sha256>/<matrix>} across restarts;
 * neighbour, analogy, similarity and direction queries whose candidates come from the index and
 * whose scores are exact (re-ranked on the float rows). Thread-safe.
 */
@ApplicationScoped
public class ExplorerService {

    /** Which embedding matrix. */
    public enum Matrix {
        /** W_E, {@code token_embd.weight}. */
        WE,
        /** W_U, {@code output.weight} (only where the model does not tie it to W_E). */
        WU
    }

    /**
     * Index build status.
     *
     * @param state "missing", "building", "ready" or "failed"
     */
    public record Status(String state, int rows, int total, double rowsPerSecond, double etaSeconds, long bytesOnDisk, String message) {
        public String describe() {
            return switch (state) {
                case "building" -> rows == 0 ? "building: starting on " + total + " rows"
                        : String.format(Locale.ROOT, "building: %d of %d rows (%.0f %%), %.0f rows/s, %.0f s left", rows, total,
                        total == 0 ? 0 : 100.0 * rows / total, rowsPerSecond, Math.max(0, etaSeconds));
                case "ready" -> total + " rows indexed, " + io.gptlens.web.models.DownloadService.size(bytesOnDisk) + " on disk";
                default -> state + (message.isEmpty() ? "" : ": " + message);
            };
        }
    }

    /** One result: a token, its text and its exact score. */
    public record Result(int id, String piece, double score) {
    }

    /** Candidates fetched from the index per result wanted, before exact re-ranking (at least {@link #MIN_CANDIDATES}). */
    static final int OVERFETCH = 100;
    static final int MIN_CANDIDATES = 1000;

    private final ModelRegistry models;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private static final class Entry {
        volatile ExactScan exact;
        volatile boolean exactTried;
        volatile Status status = new Status("missing", 0, 0, 0, -1, 0, "");
        volatile EmbeddingIndex index;
        volatile CompletableFuture<EmbeddingIndex> building;
    }

    public ExplorerService(ModelRegistry models) {
        this.models = models;
    }

    private static String key(LoadedModel m, Matrix mx) {
        return m.path() + "#" + mx;
    }

    /** Where the index of a model's matrix lives. */
    Path folder(LoadedModel m, Matrix mx) {
        return LlamaLibrary.dataDirectory().resolve("index").resolve(models.sha256(m))
                .resolve(mx.name().toLowerCase(Locale.ROOT) + "-" + EmbeddingIndex.LAYOUT);
    }

    private void check(LoadedModel m, Matrix mx) {
        if (m.model().info().vocabOnly()) {
            throw new ApiException(400, "Model '" + m.id() + "' is a vocabulary only: it has no embedding matrix");
        }
        if (mx == Matrix.WU && m.model().tiedEmbeddings()) {
            throw new ApiException(400, "Model '" + m.id() + "' ties W_U to W_E (no output.weight): explore W_E");
        }
    }

    /** The build status; opens a finished index from disk if there is one. */
    public Status status(LoadedModel m, Matrix mx) {
        check(m, mx);
        Entry e = entries.computeIfAbsent(key(m, mx), k -> new Entry());
        if (e.index == null && e.building == null && EmbeddingIndex.complete(folder(m, mx))) {
            try {
                openExisting(m, mx, e);
            } catch (IOException ex) {
                return new Status("failed", 0, 0, 0, -1, 0, ex.getMessage());
            }
        }
        return e.status;
    }

    private synchronized void openExisting(LoadedModel m, Matrix mx, Entry e) throws IOException {
        if (e.index == null) {
            Path dir = folder(m, mx);
            e.index = EmbeddingIndex.open(dir);
            e.status = new Status("ready", e.index.size(), e.index.size(), 0, 0, EmbeddingIndex.sizeOnDisk(dir), "");
        }
    }

    /** Starts building the index if it is neither built nor building; returns the status. */
    public synchronized Status build(LoadedModel m, Matrix mx) {
        Status s = status(m, mx);
        Entry e = entries.get(key(m, mx));
        if (e.index != null || e.building != null) {
            return s;
        }
        Model model = m.model();
        Tokenizer t = model.tokenizer();
        int rows = t.vocabularySize();
        boolean wordPiece = "bert".equals(model.info().metadata().get("tokenizer.ggml.model"));
        Path dir = folder(m, mx);
        long start = System.nanoTime();
        e.status = new Status("building", 0, rows, 0, -1, 0, "");
        e.building = CompletableFuture.supplyAsync(() -> {
            try {
                EmbeddingIndex idx = EmbeddingIndex.build(dir, rows, i -> mx == Matrix.WE ? model.embeddingRow(i) : model.unembeddingRow(i),
                        i -> TokenFlags.of(t, i, wordPiece), (done, total) -> {
                            double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
                            double rate = done / secs;
                            e.status = new Status("building", done, total, rate, (total - done) / Math.max(1e-9, rate), 0, "");
                        });
                e.index = idx;
                e.status = new Status("ready", rows, rows, rows / Math.max(1e-3, (System.nanoTime() - start) / 1e9), 0,
                        EmbeddingIndex.sizeOnDisk(dir), "");
                return idx;
            } catch (IOException | RuntimeException ex) {
                e.status = new Status("failed", 0, rows, 0, -1, 0, String.valueOf(ex.getMessage()));
                e.building = null;
                throw new IllegalStateException(ex);
            }
        }, command -> Thread.ofVirtual().name("index-" + m.id()).start(command));
        return e.status;
    }

    /** The ready index, or 503 with the build's progress (starting the build if needed). */
    EmbeddingIndex require(LoadedModel m, Matrix mx) {
        Status s = build(m, mx);
        Entry e = entries.get(key(m, mx));
        if (e.index != null) {
            return e.index;
        }
        throw new ApiException(503, "The index of " + (mx == Matrix.WE ? "W_E" : "W_U") + " of '" + m.id() + "' is " + s.describe()
                + "; try again shortly");
    }

    /** Waits for the index (tests, benchmarks). */
    public EmbeddingIndex await(LoadedModel m, Matrix mx) throws Exception {
        build(m, mx);
        Entry e = entries.get(key(m, mx));
        return e.index != null ? e.index : e.building.get();
    }

    /** A row of the chosen matrix. */
    float[] row(LoadedModel m, Matrix mx, int id) {
        return mx == Matrix.WE ? m.model().embeddingRow(id) : m.model().unembeddingRow(id);
    }

    /** A query word's tokens (without special tokens). */
    public int[] tokens(LoadedModel m, String text) {
        int[] ids = m.model().tokenizer().encode(text, false, false);
        if (ids.length == 0) {
            throw new ApiException(400, "'" + text + "' has no tokens");
        }
        return ids;
    }

    /** The vector of a word: its token's row, or the mean of its tokens' rows. */
    public float[] vector(LoadedModel m, Matrix mx, int[] ids) {
        float[][] rows = new float[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            rows[i] = row(m, mx, ids[i]);
        }
        return ids.length == 1 ? rows[0] : Vectors.mean(rows);
    }

    /** The piece of a token as text. */
    String piece(LoadedModel m, int id) {
        return m.model().tokenizer().piece(id, true).text();
    }

    /**
     * The {@code k} rows nearest to {@code query}, candidates from the index (filtered kNN),
     * scores exact, {@code exclude} never among them.
     */
    public List<Result> nearest(LoadedModel m, Matrix mx, float[] query, int k, EmbeddingIndex.Metric metric, EmbeddingIndex.Filter filter,
                                Set<Integer> exclude) {
        EmbeddingIndex idx = require(m, mx);
        java.util.Collection<Integer> ids;
        try {
            int candidates = Math.min(idx.size(), Math.max(k * OVERFETCH, MIN_CANDIDATES));
            ids = idx.nearest(query, candidates, candidates, metric, filter, exclude).stream().map(EmbeddingIndex.Hit::id).toList();
        } catch (IOException e) {
            throw new IllegalStateException("Searching the index failed: " + e.getMessage(), e);
        }
        ExactScan exact = exactScan(m, mx);
        if (exact != null) {
            // small matrices: the exact scan's top-k join the index's candidates, so the result is exact
            java.util.Set<Integer> union = new java.util.LinkedHashSet<>(ids);
            for (int id : exact.top(query, k, metric, filter, exclude == null ? Set.of() : exclude)) {
                union.add(id);
            }
            ids = union;
        }
        List<Result> out = new ArrayList<>();
        for (int id : ids) {
            float[] r = row(m, mx, id);
            double score = metric == EmbeddingIndex.Metric.COSINE ? Vectors.cosine(query, r) : Vectors.dot(query, r);
            out.add(new Result(id, null, score));
        }
        out.sort(Comparator.comparingDouble(Result::score).reversed());
        return out.subList(0, Math.min(k, out.size())).stream().map(r -> new Result(r.id(), piece(m, r.id()), r.score())).toList();
    }

    /** The in-memory exact scan of a matrix small enough for one ({@link ExactScan#MAX_FLOATS}), or null. */
    private ExactScan exactScan(LoadedModel m, Matrix mx) {
        Entry e = entries.get(key(m, mx));
        if (e == null) {
            return null;
        }
        if (!e.exactTried) {
            synchronized (e) {
                if (!e.exactTried) {
                    Model model = m.model();
                    int n = model.tokenizer().vocabularySize();
                    if ((long) n * model.info().embeddingLength() <= ExactScan.MAX_FLOATS) {
                        boolean wordPiece = "bert".equals(model.info().metadata().get("tokenizer.ggml.model"));
                        float[][] rows = new float[n][];
                        TokenFlags[] flags = new TokenFlags[n];
                        for (int i = 0; i < n; i++) {
                            rows[i] = row(m, mx, i);
                            flags[i] = TokenFlags.of(model.tokenizer(), i, wordPiece);
                        }
                        e.exact = new ExactScan(rows, flags);
                    }
                    e.exactTried = true;
                }
            }
        }
        return e.exact;
    }

    /** Tokens whose text starts with (or contains) {@code text}. */
    public List<Result> find(LoadedModel m, Matrix mx, String text, boolean substring, int limit) {
        EmbeddingIndex idx = require(m, mx);
        try {
            List<Result> out = new ArrayList<>();
            for (EmbeddingIndex.Hit h : idx.findText(text, substring, limit)) {
                out.add(new Result(h.id(), piece(m, h.id()), Vectors.norm(row(m, mx, h.id()))));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("Searching the index failed: " + e.getMessage(), e);
        }
    }

    /**
     * A query word: the text as given, its token ids and the vector used (the row, or the mean of
     * the rows of a word of several tokens).
     */
    public record Word(String text, int[] ids, float[] vector) {
    }

    /** {@code #123} means token 123; anything else is text, tokenized without special tokens. */
    public Word word(LoadedModel m, Matrix mx, String input) {
        String s = input == null ? "" : input.strip();
        if (s.isEmpty()) {
            throw new ApiException(400, "Give a word or #token-id");
        }
        int[] ids;
        if (s.matches("#\\d+")) {
            int id = Integer.parseInt(s.substring(1));
            m.model().tokenizer().checkToken(id);
            ids = new int[]{id};
        } else {
            ids = tokens(m, s);
        }
        return new Word(s, ids, vector(m, mx, ids));
    }

    /** The row of a token in the chosen matrix (public for views). */
    public float[] rowOf(LoadedModel m, Matrix mx, int id) {
        return row(m, mx, id);
    }

    /** Exclusion set of several token lists. */
    public static Set<Integer> union(int[]... lists) {
        Set<Integer> s = new LinkedHashSet<>();
        for (int[] l : lists) {
            for (int i : l) {
                s.add(i);
            }
        }
        return s;
    }

    @PreDestroy
    void close() {
        for (Entry e : entries.values()) {
            try {
                if (e.index != null) {
                    e.index.close();
                }
            } catch (IOException ignored) {
                // shutting down
            }
        }
    }
}
