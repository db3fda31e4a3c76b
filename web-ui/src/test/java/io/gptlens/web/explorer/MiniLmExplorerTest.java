package io.gptlens.web.explorer;

import io.gptlens.core.embedding.Vectors;
import io.gptlens.web.explorer.index.EmbeddingIndex;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The explorer on the built-in all-MiniLM-L6-v2: real word meanings in W_E (30522 × 384). */
@QuarkusTest
@TestProfile(WithMiniLm.class)
class MiniLmExplorerTest {

    static final String M = "all-minilm-l6-v2";

    @Inject
    ExplorerService explorer;
    @Inject
    ModelRegistry registry;

    @BeforeEach
    void ready() throws Exception {
        explorer.await(registry.resolve(M), ExplorerService.Matrix.WE);
    }

    private static List<String> words(JsonPath j) {
        return j.getList("results.piece", String.class).stream().map(String::strip).toList();
    }

    @Test
    void theBuiltInModelIsLoadedAfterTheConfiguredOnes() {
        given().get("/v1/models").then().statusCode(200).body("data.id", equalTo(List.of("stories260K", M)))
                .body("data[1].meta.n_vocab", equalTo(30522)).body("data[1].meta.n_embd", equalTo(384));
    }

    @Test
    void theNeighboursOfKingIncludeQueenMonarchAndPrince() {
        JsonPath j = given().get("/api/explorer/" + M + "/neighbors?text=king&k=10").then().statusCode(200).extract().jsonPath();
        List<String> w = words(j);
        assertTrue(w.containsAll(List.of("queen", "monarch", "prince")), w.toString());
        assertTrue(!w.contains("king"), "the query itself is never a result");
    }

    @Test
    void kingMinusManPlusWomanIsQueen() {
        JsonPath j = given().get("/api/explorer/" + M + "/analogy?a=king&b=man&c=woman&k=5").then().statusCode(200).extract().jsonPath();
        assertEquals("queen", words(j).getFirst(), words(j).toString());
    }

    @Test
    void recallOver1000RandomTokens() throws Exception {
        var m = registry.resolve(M);
        EmbeddingIndex idx = explorer.await(m, ExplorerService.Matrix.WE);
        int n = m.model().tokenizer().vocabularySize();
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = Vectors.normalize(m.model().embeddingRow(i));
        }
        Random r = new Random(11);
        int queries = 1000;
        int before = 0;
        int reranked = 0;
        int after = 0;
        for (int q = 0; q < queries; q++) {
            int t = r.nextInt(n);
            float[] v = rows[t];
            double[] exact = IntStream.range(0, n).filter(i -> i != t).mapToDouble(i -> Vectors.dot(v, rows[i]))
                    .boxed().sorted(Comparator.reverseOrder()).limit(10).mapToDouble(Double::doubleValue).toArray();
            double tenth = exact[9] - 1e-6;
            var candidates = idx.nearest(v, ExplorerService.INDEX_CANDIDATES, ExplorerService.INDEX_CANDIDATES, Set.of(t));
            for (var h : candidates.subList(0, 10)) {
                before += Vectors.dot(v, rows[h.id()]) >= tenth ? 1 : 0;
            }
            reranked += (int) candidates.stream().map(h -> Vectors.dot(v, rows[h.id()])).sorted(Comparator.reverseOrder()).limit(10)
                    .filter(c -> c >= tenth).count();
            for (var res : explorer.nearest(m, ExplorerService.Matrix.WE, v, 10, EmbeddingIndex.Metric.COSINE, EmbeddingIndex.Filter.NONE, Set.of(t)).results()) {
                after += res.score() >= tenth ? 1 : 0;
            }
        }
        double recallBefore = before / (queries * 10.0);
        double recallReranked = reranked / (queries * 10.0);
        double recallAfter = after / (queries * 10.0);
        System.out.printf("all-MiniLM-L6-v2 W_E, int8 HNSW, %d candidates: recall@10 over %d random tokens %.4f by the index's scores, %.4f re-ranked; "
                + "explorer %.4f%n", ExplorerService.INDEX_CANDIDATES, queries, recallBefore, recallReranked, recallAfter);
        assertTrue(recallReranked >= 0.98, "recall@10 of the index's candidates re-ranked on floats: " + recallReranked);
        // the index alone misses a few rows; the explorer answers from the exact scan (or from the index only once it has
        // measured itself at >= 0.99 re-ranked and faster), and the scan is exact, so the explorer's answers are
        assertEquals(1.0, recallAfter, "recall@10 of the explorer's answers");
    }

    @Test
    void embeddingsEndpointReturnsNormalisedSentenceVectors() {
        JsonPath j = given().contentType(ContentType.JSON)
                .body(Map.of("input", List.of("A man is walking his dog.", "Someone walks a dog in the park.", "Stock markets fell sharply.")))
                .post("/v1/embeddings").then().statusCode(200).body("model", equalTo(M)).body("object", equalTo("list")).extract().jsonPath();
        float[][] v = new float[3][];
        for (int i = 0; i < 3; i++) {
            List<Float> e = j.getList("data[" + i + "].embedding", Float.class);
            assertEquals(384, e.size());
            v[i] = new float[384];
            for (int d = 0; d < 384; d++) {
                v[i][d] = e.get(d);
            }
            assertEquals(1.0, Vectors.norm(v[i]), 1e-4);
        }
        assertTrue(Vectors.dot(v[0], v[1]) > Vectors.dot(v[0], v[2]) + 0.3, "similar sentences are closer");
        given().contentType(ContentType.JSON).body(Map.of("input", "x", "model", "stories260K")).post("/v1/embeddings").then().statusCode(400);
        given().contentType(ContentType.JSON).body(Map.of("prompt", "x", "model", M)).post("/v1/completions").then().statusCode(400)
                .body("error.message", org.hamcrest.Matchers.containsString("embedding model"));
    }
}
