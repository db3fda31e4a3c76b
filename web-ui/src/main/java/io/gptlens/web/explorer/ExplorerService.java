package io.gptlens.web.explorer;

import io.gptlens.core.DataFolder;
import io.gptlens.core.embedding.QuantizedMatrix;
import io.gptlens.core.embedding.TokenFlags;
import io.gptlens.core.embedding.Vectors;
import io.gptlens.core.model.Model;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.llamacpp.LowPriority;
import io.gptlens.web.models.ModelException;
import io.gptlens.web.explorer.index.EmbeddingIndex;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.lang.foreign.Arena;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The W_E explorer. From the moment a model is loaded, every query is answered exactly: the
 * matrix is quantised once to int8 ({@link QuantizedMatrix}, off the heap) and each query scans
 * all rows with the Vector API on every core, with bounds that prove which few rows to score again
 * on the float rows. Meanwhile a Lucene int8 HNSW index ({@link EmbeddingIndex}) is built in the
 * background at the lowest CPU priority and kept in {@code <data>/index/<sha256>/<matrix>} across
 * restarts; once built, its recall@10 and speed are measured on a sample of the model's own rows,
 * and it takes over unfiltered cosine queries only if it answers at least {@link #MIN_RECALL} of
 * the exact neighbours and faster than the scan. Every answer says which path served it.
 * Thread-safe.
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

    /** Where a matrix's HNSW index stands; in the API by its lower-case name. */
    public enum IndexState {
        MISSING, BUILDING, READY, FAILED;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Which path answers a query: the exact int8 scan, or the HNSW index once it measured good enough. */
    public enum Served {
        EXACT, HNSW;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Where the explorer of one matrix stands.
     *
     * @param state        the index
     * @param serving      the path that answers now
     * @param recallBefore recall@10 of the index's own ranking on the sample, NaN until measured
     * @param recallAfter  recall@10 after re-ranking its candidates on the float rows
     */
    public record Status(IndexState state, int rows, int total, double rowsPerSecond, double etaSeconds, long bytesOnDisk, String message,
                         Served serving, String exactState, double recallBefore, double recallAfter, double indexP50Ms, double exactP50Ms) {
        public String describe() {
            String index = switch (state) {
                case BUILDING -> rows == 0 ? "index: starting on " + total + " rows"
                        : rows < total ? String.format(Locale.ROOT, "index: %d of %d rows (%.0f %%), %.0f rows/s, %.0f s left", rows, total,
                        total == 0 ? 0 : 100.0 * rows / total, rowsPerSecond, Math.max(0, etaSeconds))
                        : "index: building the graph of " + total + " rows" + (message.isEmpty() ? "" : " (" + message + ")");
                case READY -> "index: " + total + " rows, " + io.gptlens.web.models.DownloadService.size(bytesOnDisk) + " on disk"
                        + (Double.isNaN(recallBefore) ? "" : String.format(Locale.ROOT, ", recall@10 %.3f (%.3f re-ranked), %.2f ms vs exact %.2f ms",
                        recallBefore, recallAfter, indexP50Ms, exactP50Ms));
                case MISSING, FAILED -> "index: " + state.text() + (message.isEmpty() ? "" : ": " + message);
            };
            return "answers: " + (serving == Served.HNSW ? "HNSW index, re-ranked exactly" : "exact scan") + " (" + exactState + "); " + index;
        }
    }

    /** One result: a token, its text and its exact score. */
    public record Result(int id, String piece, double score) {
    }

    /**
     * An answer: the results, which path served them, how many rows were
     * scored on their float rows, and how long the search took.
     */
    public record Neighbours(List<Result> results, Served servedBy, int rescored, double millis) {
    }

    /** Candidates the index proposes per query, re-ranked on the float rows (its recall is measured with as many). */
    static final int INDEX_CANDIDATES = 200;
    /** Recall@10 (after re-ranking) the index must reach on the sample to take over. */
    static final double MIN_RECALL = 0.99;
    /** Rows of the model's own matrix used as queries to measure the index. */
    static final int SAMPLE = 200;
    /** How long a query waits for the matrix's int8 copy before answering 503 with progress. */
    static final long EXACT_WAIT_SECONDS = 30;

    private static final System.Logger LOG = System.getLogger(ExplorerService.class.getName());
    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());

    private final ModelRegistry models;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** The threads a query's scan is split over (the caller takes one part). */
    private final ExecutorService scanPool = Executors.newFixedThreadPool(Math.max(1, THREADS - 1),
            Thread.ofPlatform().daemon().name("explorer-scan-", 1).factory());
    /** Quantising a matrix at load: normal priority, it takes a second or two and every query waits for it. */
    private final ExecutorService prepare = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("explorer-prepare").factory());
    private final boolean eagerIndex;

    /** The index build's progress. */
    private record Progress(IndexState state, int rows, int total, double rowsPerSecond, double etaSeconds, long bytesOnDisk, String message) {
    }

    /** What measuring the index found, and whether it answers from now on. */
    private record Measured(double recallBefore, double recallAfter, double indexP50Ms, double exactP50Ms, boolean serves) {
    }

    /** The int8 copy of a matrix and what filters and text search need of each token. */
    private record Exact(QuantizedMatrix matrix, TokenFlags[] flags, String[] lowerText) {
    }

    private static final class Entry {
        final LoadedModel model;
        final Matrix mx;
        final Arena arena = Arena.ofShared();
        final CompletableFuture<Exact> exact = new CompletableFuture<>();
        volatile int quantized;
        volatile Progress progress = new Progress(IndexState.MISSING, 0, 0, 0, -1, 0, "");
        /** The index's measurement on the model's own rows; null until it is built and measured. */
        volatile Measured measured;
        volatile EmbeddingIndex index;
        volatile CompletableFuture<EmbeddingIndex> building;
        volatile boolean closed;

        boolean indexServes() {
            Measured m = measured;
            return m != null && m.serves();
        }

        Entry(LoadedModel model, Matrix mx) {
            this.model = model;
            this.mx = mx;
        }
    }

    private final io.gptlens.web.metrics.GptLensMetrics metrics;

    public ExplorerService(ModelRegistry models, io.gptlens.web.metrics.GptLensMetrics metrics, io.gptlens.web.config.GptLensConfig config) {
        this.models = models;
        this.metrics = metrics;
        this.eagerIndex = config.explorer().eagerIndex();
    }

    void onStart(@Observes @Priority(2000) StartupEvent e) {
        models.onChange(this::sync);
        sync();
    }

    /** Prepares the W_E of every loaded model (the exact scan at once, the index in the background); forgets unloaded ones. */
    void sync() {
        Set<LoadedModel> loaded = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        loaded.addAll(models.all());
        for (LoadedModel m : loaded) {
            if (!m.model().info().vocabOnly()) {
                Entry e = entry(m, Matrix.WE);
                if (eagerIndex) {
                    build(m, Matrix.WE);
                }
                LOG.log(System.Logger.Level.DEBUG, "explorer: preparing " + e.model.id());
            }
        }
        for (var it = entries.entrySet().iterator(); it.hasNext(); ) {
            Entry e = it.next().getValue();
            if (!loaded.contains(e.model)) {
                it.remove();
                close(e);
            }
        }
    }

    private static String key(LoadedModel m, Matrix mx) {
        return System.identityHashCode(m) + "#" + m.path() + "#" + mx;
    }

    /** Where the index of a model's matrix lives. */
    Path folder(LoadedModel m, Matrix mx) {
        return DataFolder.resolve("index").resolve(models.sha256(m))
                .resolve(mx.name().toLowerCase(Locale.ROOT) + "-" + EmbeddingIndex.LAYOUT);
    }

    private void check(LoadedModel m, Matrix mx) {
        if (m.model().info().vocabOnly()) {
            throw new ModelException(ModelException.Kind.UNSUPPORTED, "Model '" + m.id() + "' is a vocabulary only: it has no embedding matrix");
        }
        if (mx == Matrix.WU && m.model().tiedEmbeddings()) {
            throw new ModelException(ModelException.Kind.UNSUPPORTED, "Model '" + m.id() + "' ties W_U to W_E (no output.weight): explore W_E");
        }
    }

    /** The entry of a model's matrix, quantising it in the background the first time. */
    private Entry entry(LoadedModel m, Matrix mx) {
        check(m, mx);
        return entries.computeIfAbsent(key(m, mx), k -> {
            Entry e = new Entry(m, mx);
            prepare.execute(() -> quantize(e));
            return e;
        });
    }

    private void quantize(Entry e) {
        if (e.closed) {
            e.exact.completeExceptionally(new IllegalStateException("unloaded"));
            return;
        }
        try {
            Model model = e.model.model();
            Tokenizer t = model.tokenizer();
            int n = t.vocabularySize();
            int d = model.info().embeddingLength();
            boolean wordPiece = wordPiece(e.model);
            long t0 = System.nanoTime();
            QuantizedMatrix q = QuantizedMatrix.quantize(n, d, i -> row(e.model, e.mx, i), e.arena, (done, total) -> e.quantized = done);
            TokenFlags[] flags = new TokenFlags[n];
            String[] lower = new String[n];
            for (int i = 0; i < n; i++) {
                flags[i] = TokenFlags.of(t, i, wordPiece);
                lower[i] = flags[i].text().strip().toLowerCase(Locale.ROOT);
            }
            e.exact.complete(new Exact(q, flags, lower));
            LOG.log(System.Logger.Level.INFO, String.format(Locale.ROOT, "explorer: %s of '%s' quantised to int8 (%d × %d, %s) in %.1f s; exact answers from now on",
                    e.mx == Matrix.WE ? "W_E" : "W_U", e.model.id(), n, d, io.gptlens.web.models.DownloadService.size(q.bytes()), (System.nanoTime() - t0) / 1e9));
        } catch (RuntimeException | Error ex) {
            e.exact.completeExceptionally(ex);
            LOG.log(System.Logger.Level.WARNING, "explorer: quantising '" + e.model.id() + "' failed: " + ex);
        }
    }

    /** Where an entry stands, from its progress, its measurement and its int8 copy. */
    private static Status snapshot(Entry e) {
        Progress p = e.progress;
        Measured m = e.measured;
        return new Status(p.state(), p.rows(), p.total(), p.rowsPerSecond(), p.etaSeconds(), p.bytesOnDisk(), p.message(),
                e.indexServes() ? Served.HNSW : Served.EXACT, exactState(e), m == null ? Double.NaN : m.recallBefore(),
                m == null ? Double.NaN : m.recallAfter(), m == null ? Double.NaN : m.indexP50Ms(), m == null ? Double.NaN : m.exactP50Ms());
    }

    private static String exactState(Entry e) {
        if (e.exact.isCompletedExceptionally()) {
            return "failed";
        }
        if (e.exact.isDone()) {
            return "ready";
        }
        return "quantising " + e.quantized + " rows";
    }

    /** Where the explorer of a matrix stands; opens a finished index from disk if there is one. */
    public Status status(LoadedModel m, Matrix mx) {
        Entry e = entry(m, mx);
        if (e.index == null && e.building == null && EmbeddingIndex.complete(folder(m, mx))) {
            build(m, mx); // opens it and measures it, in the background
        }
        return snapshot(e);
    }

    /** Starts building (or opening) the index if it is neither built nor building; returns the status. */
    public synchronized Status build(LoadedModel m, Matrix mx) {
        Entry e = entry(m, mx);
        if (e.index != null || e.building != null) {
            return status(m, mx);
        }
        Model model = m.model();
        int rows = model.tokenizer().vocabularySize();
        long start = System.nanoTime();
        e.progress = new Progress(IndexState.BUILDING, 0, rows, 0, -1, 0, "");
        e.building = CompletableFuture.supplyAsync(() -> {
            try {
                Path dir = folder(m, mx);
                EmbeddingIndex idx = EmbeddingIndex.complete(dir) ? EmbeddingIndex.open(dir)
                        : EmbeddingIndex.build(dir, rows, i -> {
                    if (i % 256 == 0) {
                        stepAside(); // while tokens are being generated, the rows wait
                    }
                    return row(m, mx, i);
                }, new EmbeddingIndex.Progress() {
                    @Override
                    public void rows(int done, int total) {
                        double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
                        double rate = done / secs;
                        e.progress = new Progress(IndexState.BUILDING, done, total, rate, (total - done) / Math.max(1e-9, rate), 0, "");
                    }

                    @Override
                    public void merging(int segments) {
                        e.progress = new Progress(IndexState.BUILDING, rows, rows, 0, -1, 0, "merging " + segments + " segments into one graph");
                    }
                }, LowPriority.threads("index-merge-" + m.id()));
                if (e.closed) {
                    idx.close();
                    metrics.indexBuild("cancelled", (System.nanoTime() - start) / 1e9);
                    return null;
                }
                e.index = idx;
                metrics.indexBuild(IndexState.READY.text(), (System.nanoTime() - start) / 1e9);
                e.progress = new Progress(IndexState.READY, rows, rows, rows / Math.max(1e-3, (System.nanoTime() - start) / 1e9), 0,
                        EmbeddingIndex.sizeOnDisk(dir), "");
                measure(e, idx);
                return idx;
            } catch (IOException | RuntimeException ex) {
                e.progress = new Progress(IndexState.FAILED, 0, rows, 0, -1, 0, String.valueOf(ex.getMessage()));
                metrics.indexBuild(IndexState.FAILED.text(), 0);
                LOG.log(System.Logger.Level.WARNING, "explorer: the index of '" + m.id() + "' failed: " + ex);
                throw new IllegalStateException(ex);
            }
        }, command -> LowPriority.threads("index-" + m.id()).newThread(command).start());
        return snapshot(e);
    }

    /** Lets running generations go first (a minute at most, so the build is delayed, never starved). */
    private static void stepAside() {
        try {
            io.gptlens.core.generation.GenerationActivity.awaitIdle(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Measures the index on {@link #SAMPLE} of the model's own rows as queries (the row itself
     * excluded): recall@10 of its ranking and after re-ranking its candidates, against the exact
     * scan, and both paths' median time; lets it serve if it is good enough and faster.
     */
    private void measure(Entry e, EmbeddingIndex idx) throws IOException {
        Exact x = e.exact.join();
        int n = x.matrix().rows();
        java.util.Random r = new java.util.Random(42);
        int k = 10;
        double before = 0;
        double after = 0;
        double[] tIndex = new double[SAMPLE];
        double[] tExact = new double[SAMPLE];
        for (int s = 0; s < SAMPLE; s++) {
            int id = r.nextInt(n);
            float[] q = row(e.model, e.mx, id);
            Set<Integer> self = Set.of(id);
            long t0 = System.nanoTime();
            QuantizedMatrix.Hits exact = x.matrix().nearest(q, k, true, i -> i != id, i -> row(e.model, e.mx, i), scanPool, THREADS);
            long t1 = System.nanoTime();
            List<EmbeddingIndex.Hit> cands = idx.nearest(q, INDEX_CANDIDATES, INDEX_CANDIDATES, self);
            List<Result> reranked = rerank(e, q, cands.stream().map(EmbeddingIndex.Hit::id).toList(), k, EmbeddingIndex.Metric.COSINE);
            long t2 = System.nanoTime();
            tExact[s] = (t1 - t0) / 1e6;
            tIndex[s] = (t2 - t1) / 1e6;
            double kth = exact.scores()[exact.scores().length - 1];
            // a hit counts when its exact score reaches the exact k-th best (ties: untrained tokens share vectors)
            before += cands.stream().limit(k).filter(h -> cosine(e, q, h.id()) >= kth - 1e-9).count() / (double) k;
            after += reranked.stream().filter(h -> h.score() >= kth - 1e-9).count() / (double) k;
        }
        java.util.Arrays.sort(tIndex);
        java.util.Arrays.sort(tExact);
        double rb = before / SAMPLE;
        double ra = after / SAMPLE;
        e.measured = new Measured(rb, ra, tIndex[SAMPLE / 2], tExact[SAMPLE / 2], ra >= MIN_RECALL && tIndex[SAMPLE / 2] < tExact[SAMPLE / 2]);
        LOG.log(System.Logger.Level.INFO, String.format(Locale.ROOT, "explorer: index of '%s' measured on %d of its rows: recall@10 %.4f, "
                        + "%.4f re-ranked; p50 %.2f ms against the exact scan's %.2f ms: %s", e.model.id(), SAMPLE, rb, ra, tIndex[SAMPLE / 2],
                tExact[SAMPLE / 2], e.indexServes() ? "the index answers from now on" : "the exact scan keeps answering"));
    }

    private double cosine(Entry e, float[] q, int id) {
        return Vectors.cosine(q, row(e.model, e.mx, id));
    }

    /** Candidates scored exactly on their float rows, best k. */
    private List<Result> rerank(Entry e, float[] query, java.util.Collection<Integer> ids, int k, EmbeddingIndex.Metric metric) {
        List<Result> out = new ArrayList<>();
        for (int id : ids) {
            float[] r = row(e.model, e.mx, id);
            double score = metric == EmbeddingIndex.Metric.COSINE ? Vectors.cosine(query, r) : Vectors.dot(query, r);
            out.add(new Result(id, null, score));
        }
        out.sort(Comparator.comparingDouble(Result::score).reversed().thenComparingInt(Result::id));
        return out.subList(0, Math.min(k, out.size()));
    }

    private Exact exact(Entry e) {
        try {
            return e.exact.get(EXACT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException ex) {
            throw new ModelException(ModelException.Kind.BUSY, "The explorer of '" + e.model.id() + "' is still " + exactState(e) + " of "
                    + e.model.model().tokenizer().vocabularySize() + "; try again shortly");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new ModelException(ModelException.Kind.BUSY, "Interrupted while waiting for the explorer");
        } catch (java.util.concurrent.ExecutionException ex) {
            if (ex.getCause() instanceof IllegalArgumentException bad) { // e.g. a NaN in the matrix
                throw new ModelException(ModelException.Kind.UNREADABLE, "The embedding matrix of '" + e.model.id() + "' cannot be explored: " + bad.getMessage());
            }
            throw new IllegalStateException("Preparing the explorer of '" + e.model.id() + "' failed: " + ex.getCause(), ex.getCause());
        }
    }

    /** Waits for the index to be built and measured (tests, benchmarks). */
    public EmbeddingIndex await(LoadedModel m, Matrix mx) throws Exception {
        build(m, mx);
        Entry e = entries.get(key(m, mx));
        return e.index != null && e.measured != null ? e.index : e.building.get();
    }

    /** A row of the chosen matrix. */
    float[] row(LoadedModel m, Matrix mx, int id) {
        return (mx == Matrix.WE ? m.model().embeddings() : m.model().unembeddings()).row(id);
    }

    /** A query word's tokens (without special tokens). */
    public int[] tokens(LoadedModel m, String text) {
        int[] ids = m.model().tokenizer().encode(text, false, false);
        if (ids.length == 0) {
            throw new ModelException(ModelException.Kind.INVALID, "'" + text + "' has no tokens");
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
     * The {@code k} rows nearest to {@code query}, exactly, honouring the filter and never
     * returning {@code exclude}: by the int8 scan, or (unfiltered cosine queries, once the index
     * has been measured good enough) by the index's candidates re-ranked on the float rows.
     */
    public Neighbours nearest(LoadedModel m, Matrix mx, float[] query, int k, EmbeddingIndex.Metric metric, EmbeddingIndex.Filter filter,
                              Set<Integer> exclude) {
        Entry e = entry(m, mx);
        Set<Integer> ex = exclude == null ? Set.of() : exclude;
        long t0 = System.nanoTime();
        try {
            EmbeddingIndex idx = e.index;
            if (e.indexServes() && idx != null && metric == EmbeddingIndex.Metric.COSINE && filter.none()) {
                List<EmbeddingIndex.Hit> cands = idx.nearest(query, Math.max(k, INDEX_CANDIDATES), Math.max(k, INDEX_CANDIDATES), ex);
                List<Result> rs = rerank(e, query, cands.stream().map(EmbeddingIndex.Hit::id).toList(), k, metric);
                return new Neighbours(named(m, rs), Served.HNSW, cands.size(), (System.nanoTime() - t0) / 1e6);
            }
            Exact x = exact(e);
            TokenFlags[] flags = x.flags();
            java.util.function.IntPredicate accept = i -> {
                TokenFlags f = flags[i];
                return !((filter.wholeWords() && !f.wordStart()) || (filter.alphabetic() && !f.alphabetic())
                        || (filter.hideSpecial() && (f.special() || f.byteToken())) || ex.contains(i));
            };
            QuantizedMatrix.Hits h = x.matrix().nearest(query, k, metric == EmbeddingIndex.Metric.COSINE, accept, i -> row(m, mx, i), scanPool,
                    THREADS);
            List<Result> rs = new ArrayList<>();
            for (int i = 0; i < h.ids().length; i++) {
                rs.add(new Result(h.ids()[i], null, h.scores()[i]));
            }
            return new Neighbours(named(m, rs), Served.EXACT, h.rescored(), (System.nanoTime() - t0) / 1e6);
        } catch (IOException ex2) {
            throw new IllegalStateException("Searching the index failed: " + ex2.getMessage(), ex2);
        } catch (IllegalStateException closed) {
            if (e.closed) {
                throw new ModelException(ModelException.Kind.NOT_FOUND, "Model '" + m.id() + "' was unloaded");
            }
            throw closed;
        }
    }

    private List<Result> named(LoadedModel m, List<Result> rs) {
        return rs.stream().map(r -> new Result(r.id(), piece(m, r.id()), r.score())).toList();
    }

    /** Tokens whose text starts with (or contains) {@code text}, case-insensitive, in id order, with their row norms. */
    public List<Result> find(LoadedModel m, Matrix mx, String text, boolean substring, int limit) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            return List.of();
        }
        Exact x = exact(entry(m, mx));
        List<Result> out = new ArrayList<>();
        String[] lower = x.lowerText();
        for (int i = 0; i < lower.length && out.size() < limit; i++) {
            if (substring ? lower[i].contains(t) : lower[i].startsWith(t)) {
                out.add(new Result(i, piece(m, i), x.matrix().norm(i)));
            }
        }
        return out;
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
            throw new ModelException(ModelException.Kind.INVALID, "Give a word or #token-id");
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

    /**
     * What a sum expression stands for ({@code king - man + woman}): one word's vector, or the signed
     * sum of the words' vectors, with all their tokens (which a search leaves out of its answers).
     */
    public Word combine(LoadedModel m, Matrix mx, QueryExpression.Sum sum, String text) {
        List<Word> ws = sum.words().stream().map(x -> word(m, mx, x)).toList();
        if (ws.size() == 1) {
            return ws.getFirst();
        }
        int[] ids = union(ws.stream().map(Word::ids).toArray(int[][]::new)).stream().mapToInt(Integer::intValue).toArray();
        float[] v = Vectors.combine(ws.stream().map(Word::vector).toArray(float[][]::new), sum.signs().stream().mapToDouble(Integer::doubleValue).toArray());
        return new Word(text.strip(), ids, v);
    }

    /** True when the model cuts text with WordPiece (BERT's {@code ##} continuations), whose whole words are its natural queries. */
    public static boolean wordPiece(LoadedModel m) {
        return "bert".equals(m.model().info().metadata().get("tokenizer.ggml.model"));
    }

    /** Two words and the cosine of their vectors. */
    public record Similarity(Word a, Word b, double cosine) {
    }

    /** {@code cos(a, b)}. */
    public Similarity cosine(LoadedModel m, Matrix mx, QueryExpression.Cosine c) {
        Word a = word(m, mx, c.a());
        Word b = word(m, mx, c.b());
        return new Similarity(a, b, Vectors.cosine(a.vector(), b.vector()));
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

    private void close(Entry e) {
        e.closed = true;
        Thread.ofVirtual().name("explorer-close-" + e.model.id()).start(() -> {
            try {
                CompletableFuture<EmbeddingIndex> b = e.building;
                if (b != null) {
                    try {
                        b.join();
                    } catch (RuntimeException ignored) {
                        // a failed build has nothing to close
                    }
                }
                if (e.index != null) {
                    e.index.close();
                }
                try {
                    e.exact.join();
                } catch (RuntimeException ignored) {
                    // nothing was quantised
                }
                e.arena.close(); // a query still scanning fails with "unloaded"
            } catch (IOException | RuntimeException ex) {
                LOG.log(System.Logger.Level.DEBUG, "explorer: closing '" + e.model.id() + "': " + ex);
            }
        });
    }

    @PreDestroy
    void close() {
        scanPool.shutdownNow();
        prepare.shutdownNow();
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
