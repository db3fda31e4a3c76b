package io.gptlens.web.api;

import io.gptlens.core.embedding.Vectors;
import io.gptlens.web.explorer.ExplorerService;
import io.gptlens.web.explorer.ExplorerService.Matrix;
import io.gptlens.web.explorer.index.EmbeddingIndex;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The W_E explorer over REST: neighbours, analogies, similarity, directions and token search on
 * a model's embedding matrix ({@code matrix=we}, or {@code wu} for a separate W_U). The first
 * query of a model starts its index build and answers 503 with the progress until it is ready.
 */
@Path("/api/explorer/{model}")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class ExplorerResource {

    static final int MAX_K = 1000;

    private final ModelRegistry models;
    private final ExplorerService explorer;

    public ExplorerResource(ModelRegistry models, ExplorerService explorer) {
        this.models = models;
        this.explorer = explorer;
    }

    private static Matrix matrix(String s) {
        return switch (s == null ? "we" : s.toLowerCase(Locale.ROOT)) {
            case "we" -> Matrix.WE;
            case "wu" -> Matrix.WU;
            default -> throw new ApiException(400, "matrix must be 'we' or 'wu', got '" + s + "'");
        };
    }

    private static EmbeddingIndex.Metric metric(String s) {
        return switch (s == null ? "cosine" : s.toLowerCase(Locale.ROOT)) {
            case "cosine" -> EmbeddingIndex.Metric.COSINE;
            case "dot" -> EmbeddingIndex.Metric.DOT;
            default -> throw new ApiException(400, "metric must be 'cosine' or 'dot', got '" + s + "'");
        };
    }

    /** {@code filter} is a comma-separated list of: words (whole words only), alpha (alphabetic only), nospecial (hide special and byte tokens). */
    private static EmbeddingIndex.Filter filter(String s) {
        if (s == null || s.isBlank()) {
            return EmbeddingIndex.Filter.NONE;
        }
        boolean words = false;
        boolean alpha = false;
        boolean nospecial = false;
        for (String part : s.split(",")) {
            switch (part.trim().toLowerCase(Locale.ROOT)) {
                case "words" -> words = true;
                case "alpha" -> alpha = true;
                case "nospecial" -> nospecial = true;
                case "" -> {
                }
                default -> throw new ApiException(400, "Unknown filter '" + part.trim() + "'; known: words, alpha, nospecial");
            }
        }
        return new EmbeddingIndex.Filter(words, alpha, nospecial);
    }

    private static int k(int k) {
        if (k < 1 || k > MAX_K) {
            throw new ApiException(400, "k must be in [1, " + MAX_K + "], got " + k);
        }
        return k;
    }

    private Map<String, Object> status(ExplorerService.Status s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", s.state().text());
        m.put("rows", s.rows());
        m.put("total", s.total());
        m.put("rows_per_second", s.rowsPerSecond());
        m.put("eta_seconds", s.etaSeconds());
        m.put("bytes_on_disk", s.bytesOnDisk());
        m.put("message", s.describe());
        m.put("serving", s.serving().text());
        m.put("exact", s.exactState());
        m.put("recall_at_10", Double.isNaN(s.recallBefore()) ? null : s.recallBefore());
        m.put("recall_at_10_reranked", Double.isNaN(s.recallAfter()) ? null : s.recallAfter());
        m.put("index_p50_ms", Double.isNaN(s.indexP50Ms()) ? null : s.indexP50Ms());
        m.put("exact_p50_ms", Double.isNaN(s.exactP50Ms()) ? null : s.exactP50Ms());
        return m;
    }

    @GET
    @Path("index")
    public Map<String, Object> indexStatus(@PathParam("model") String model, @QueryParam("matrix") String mx) {
        return status(explorer.status(models.resolve(model), matrix(mx)));
    }

    @POST
    @Path("index")
    public Map<String, Object> buildIndex(@PathParam("model") String model, @QueryParam("matrix") String mx) {
        return status(explorer.build(models.resolve(model), matrix(mx)));
    }

    /** The query word's tokens, and the vector used. */
    private record Query(int[] ids, float[] vector, Map<String, Object> json) {
    }

    private Query query(LoadedModel m, Matrix mx, Integer token, String text) {
        int[] ids;
        Map<String, Object> q = new LinkedHashMap<>();
        if (token != null) {
            m.model().tokenizer().checkToken(token);
            ids = new int[]{token};
        } else if (text != null && !text.isEmpty()) {
            ids = explorer.tokens(m, text);
            q.put("text", text);
        } else {
            throw new ApiException(400, "Give ?token=ID or ?text=WORD");
        }
        List<Map<String, Object>> toks = new ArrayList<>();
        for (int id : ids) {
            toks.add(Map.of("id", id, "piece", m.model().tokenizer().piece(id, true).text()));
        }
        q.put("tokens", toks);
        if (ids.length > 1) {
            q.put("note", "'" + text + "' is " + ids.length + " tokens; these results are for the mean of their rows. "
                    + "Query each with ?token=ID for its own neighbours.");
        }
        return new Query(ids, explorer.vector(m, mx, ids), q);
    }

    private static List<Map<String, Object>> results(List<ExplorerService.Result> rs) {
        return rs.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("piece", r.piece());
            m.put("score", r.score());
            return m;
        }).toList();
    }

    /** The results and how they were found: which path served them, how many rows were scored on floats, how long it took. */
    private static void served(Map<String, Object> out, ExplorerService.Neighbours n) {
        out.put("results", results(n.results()));
        out.put("served_by", n.servedBy().text());
        out.put("rescored", n.rescored());
        out.put("millis", n.millis());
    }

    @GET
    @Path("neighbors")
    public Map<String, Object> neighbors(@PathParam("model") String model, @QueryParam("token") Integer token, @QueryParam("text") String text,
                                         @QueryParam("k") @DefaultValue("10") int k, @QueryParam("metric") String metric,
                                         @QueryParam("filter") String filter, @QueryParam("matrix") String mx) {
        LoadedModel m = models.resolve(model);
        Matrix matrix = matrix(mx);
        var met = metric(metric);
        var f = filter(filter);
        Query q = query(m, matrix, token, text);
        var rs = explorer.nearest(m, matrix, q.vector(), k(k), met, f, ExplorerService.union(q.ids()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("query", q.json());
        out.put("metric", met.name().toLowerCase(Locale.ROOT));
        served(out, rs);
        return out;
    }

    @GET
    @Path("analogy")
    public Map<String, Object> analogy(@PathParam("model") String model, @QueryParam("a") String a, @QueryParam("b") String b,
                                       @QueryParam("c") String c, @QueryParam("k") @DefaultValue("10") int k,
                                       @QueryParam("metric") String metric, @QueryParam("filter") String filter, @QueryParam("matrix") String mx) {
        if (a == null || b == null || c == null) {
            throw new ApiException(400, "Give a, b and c: the result is a - b + c (e.g. a=king&b=man&c=woman)");
        }
        LoadedModel m = models.resolve(model);
        Matrix matrix = matrix(mx);
        Query qa = query(m, matrix, null, a);
        Query qb = query(m, matrix, null, b);
        Query qc = query(m, matrix, null, c);
        float[] v = Vectors.combine(new float[][]{qa.vector(), qb.vector(), qc.vector()}, new double[]{1, -1, 1});
        var met = metric(metric);
        var rs = explorer.nearest(m, matrix, v, k(k), met, filter(filter), ExplorerService.union(qa.ids(), qb.ids(), qc.ids()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("expression", a + " - " + b + " + " + c);
        out.put("a", qa.json());
        out.put("b", qb.json());
        out.put("c", qc.json());
        out.put("metric", met.name().toLowerCase(Locale.ROOT));
        served(out, rs);
        return out;
    }

    @GET
    @Path("similarity")
    public Map<String, Object> similarity(@PathParam("model") String model, @QueryParam("a") String a, @QueryParam("b") String b,
                                          @QueryParam("matrix") String mx) {
        if (a == null || b == null) {
            throw new ApiException(400, "Give a and b");
        }
        LoadedModel m = models.resolve(model);
        Matrix matrix = matrix(mx);
        Query qa = query(m, matrix, null, a);
        Query qb = query(m, matrix, null, b);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("a", qa.json());
        out.put("b", qb.json());
        out.put("dot", Vectors.dot(qa.vector(), qb.vector()));
        out.put("cosine", Vectors.cosine(qa.vector(), qb.vector()));
        out.put("norm_a", Vectors.norm(qa.vector()));
        out.put("norm_b", Vectors.norm(qb.vector()));
        return out;
    }

    @GET
    @Path("direction")
    public Map<String, Object> direction(@PathParam("model") String model, @QueryParam("from") String from, @QueryParam("to") String to,
                                         @QueryParam("k") @DefaultValue("10") int k, @QueryParam("filter") String filter,
                                         @QueryParam("matrix") String mx) {
        if (from == null || to == null) {
            throw new ApiException(400, "Give from and to: the direction is to - from (e.g. from=man&to=woman)");
        }
        LoadedModel m = models.resolve(model);
        Matrix matrix = matrix(mx);
        Query qf = query(m, matrix, null, from);
        Query qt = query(m, matrix, null, to);
        float[] d = Vectors.combine(new float[][]{qt.vector(), qf.vector()}, new double[]{1, -1});
        double norm = Vectors.norm(d);
        if (norm == 0) {
            throw new ApiException(400, "'" + to + "' and '" + from + "' have the same vector: no direction");
        }
        float[] unit = Vectors.normalize(d);
        float[] neg = Vectors.combine(new float[][]{unit}, new double[]{-1});
        var f = filter(filter);
        var exclude = ExplorerService.union(qf.ids(), qt.ids());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("direction", to + " - " + from);
        var most = explorer.nearest(m, matrix, unit, k(k), EmbeddingIndex.Metric.DOT, f, exclude);
        var least = explorer.nearest(m, matrix, neg, k(k), EmbeddingIndex.Metric.DOT, f, exclude);
        out.put("most", results(most.results()));
        out.put("least", results(least.results().stream().map(r -> new ExplorerService.Result(r.id(), r.piece(), -r.score())).toList()));
        out.put("served_by", most.servedBy().text());
        out.put("millis", most.millis() + least.millis());
        return out;
    }

    @GET
    @Path("search")
    public Map<String, Object> search(@PathParam("model") String model, @QueryParam("q") String q,
                                      @QueryParam("mode") @DefaultValue("prefix") String mode, @QueryParam("limit") @DefaultValue("20") int limit,
                                      @QueryParam("matrix") String mx) {
        if (q == null || q.isBlank()) {
            throw new ApiException(400, "Give q, the text to look for");
        }
        if (!mode.equals("prefix") && !mode.equals("substring")) {
            throw new ApiException(400, "mode must be 'prefix' or 'substring', got '" + mode + "'");
        }
        LoadedModel m = models.resolve(model);
        var rs = explorer.find(m, matrix(mx), q, mode.equals("substring"), k(limit));
        return Map.of("results", results(rs).stream().map(r -> {
            Map<String, Object> x = new LinkedHashMap<>(r);
            x.put("norm", x.remove("score"));
            return x;
        }).toList());
    }

}
