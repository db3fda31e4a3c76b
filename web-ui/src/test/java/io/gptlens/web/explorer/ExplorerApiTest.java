package io.gptlens.web.explorer;

import io.gptlens.core.embedding.Vectors;
import io.gptlens.core.tokenizer.TokenType;
import io.gptlens.web.explorer.index.EmbeddingIndex;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The W_E explorer over REST on stories260K's 512 × 64 embedding matrix. */
@QuarkusTest
class ExplorerApiTest {

    @Inject
    ExplorerService explorer;
    @Inject
    ModelRegistry registry;

    @BeforeEach
    void indexReady() throws Exception {
        explorer.await(registry.resolve("stories260K"), ExplorerService.Matrix.WE);
        given().get("/api/explorer/stories260K/index").then().statusCode(200).body("state", equalTo("ready")).body("total", equalTo(512));
    }

    private float[] row(int id) {
        return registry.resolve("stories260K").model().embeddingRow(id);
    }

    @Test
    void neighboursAreExactAndExcludeTheQuery() {
        JsonPath j = given().get("/api/explorer/stories260K/neighbors?token=403&k=10").then().statusCode(200).extract().jsonPath();
        List<Integer> ids = j.getList("results.id", Integer.class);
        List<Double> scores = j.getList("results.score", Double.class);
        assertEquals(10, ids.size());
        assertFalse(ids.contains(403));
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(Vectors.cosine(row(403), row(ids.get(i))), scores.get(i), 1e-6, "exact cosine");
            if (i > 0) {
                assertTrue(scores.get(i) <= scores.get(i - 1));
            }
        }
        // exact brute force over all other rows gives the same ten
        List<Integer> exact = IntStream.range(0, 512).filter(i -> i != 403).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -Vectors.cosine(row(403), row(i)))).limit(10).toList();
        assertEquals(exact, ids);
    }

    @Test
    void recallOfTheIndexBeforeAndAfterReRanking() throws Exception {
        var m = registry.resolve("stories260K");
        EmbeddingIndex idx = explorer.await(m, ExplorerService.Matrix.WE);
        Random r = new Random(5);
        int found = 0;
        int foundReranked = 0;
        int foundExplorer = 0;
        int queries = 200;
        for (int q = 0; q < queries; q++) {
            int t = r.nextInt(512);
            float[] v = row(t);
            // the exact 10th-best score; rows tied with it count as correct (untrained byte tokens share vectors)
            double[] exact = IntStream.range(0, 512).filter(i -> i != t).mapToDouble(i -> Vectors.cosine(v, row(i)))
                    .boxed().sorted(Comparator.reverseOrder()).mapToDouble(Double::doubleValue).toArray();
            double tenth = exact[9] - 1e-6;
            var candidates = idx.nearest(v, ExplorerService.INDEX_CANDIDATES, ExplorerService.INDEX_CANDIDATES, Set.of(t));
            for (var h : candidates.subList(0, 10)) {
                found += Vectors.cosine(v, row(h.id())) >= tenth ? 1 : 0;
            }
            foundReranked += (int) candidates.stream().map(h -> Vectors.cosine(v, row(h.id()))).sorted(Comparator.reverseOrder()).limit(10)
                    .filter(c -> c >= tenth).count();
            for (var res : explorer.nearest(m, ExplorerService.Matrix.WE, v, 10, EmbeddingIndex.Metric.COSINE, EmbeddingIndex.Filter.NONE, Set.of(t)).results()) {
                foundExplorer += res.score() >= tenth ? 1 : 0;
            }
        }
        double before = found / (queries * 10.0);
        double after = foundReranked / (queries * 10.0);
        System.out.printf("stories260K W_E (512 × 64), int8 HNSW, %d candidates: recall@10 %.4f by the index's own scores, %.4f re-ranked%n",
                ExplorerService.INDEX_CANDIDATES, before, after);
        assertTrue(after >= 0.99, "recall@10 of the index's candidates re-ranked on the float rows: " + after);
        assertEquals(1.0, foundExplorer / (queries * 10.0), "the explorer's answers are exact");
        // the service measured the same index on its own sample of rows before letting it answer
        var status = explorer.status(m, ExplorerService.Matrix.WE);
        assertTrue(status.recallAfter() >= 0.98, "the service's own measurement: " + status.describe());
    }

    @Test
    void filtersRunInsideTheSearch() {
        var tok = registry.resolve("stories260K").model().tokenizer();
        List<Integer> ids = given().get("/api/explorer/stories260K/neighbors?token=11&k=50&filter=nospecial").then().statusCode(200)
                .extract().jsonPath().getList("results.id", Integer.class);
        assertEquals(50, ids.size());
        for (int id : ids) {
            assertTrue(tok.type(id) != TokenType.CONTROL && tok.type(id) != TokenType.BYTE, "token " + id + " is " + tok.type(id));
        }
        List<String> words = given().get("/api/explorer/stories260K/neighbors?token=11&k=20&filter=words,alpha").then().statusCode(200)
                .extract().jsonPath().getList("results.piece", String.class);
        assertEquals(20, words.size());
        for (String w : words) {
            assertTrue(w.startsWith(" ") && w.strip().chars().allMatch(Character::isLetter), "'" + w + "'");
        }
        given().get("/api/explorer/stories260K/neighbors?token=11&filter=nonsense").then().statusCode(400)
                .body("error.message", containsString("known: words, alpha, nospecial"));
    }

    @Test
    void analogySimilarityDirectionAndSearch() {
        JsonPath a = given().get("/api/explorer/stories260K/analogy?a=king&b=man&c=woman&k=5").then().statusCode(200).extract().jsonPath();
        assertEquals("king - man + woman", a.getString("expression"));
        List<Integer> inputs = new ArrayList<>();
        for (String w : List.of("a", "b", "c")) {
            inputs.addAll(a.getList(w + ".tokens.id", Integer.class));
        }
        for (int id : a.getList("results.id", Integer.class)) {
            assertFalse(inputs.contains(id), "inputs are excluded");
        }
        JsonPath s = given().get("/api/explorer/stories260K/similarity?a=Lily&b=Ben").then().statusCode(200).extract().jsonPath();
        float[] va = vectorOf(s.getList("a.tokens.id", Integer.class));
        float[] vb = vectorOf(s.getList("b.tokens.id", Integer.class));
        assertEquals(Vectors.dot(va, vb), s.getDouble("dot"), 1e-4);
        assertEquals(Vectors.cosine(va, vb), s.getDouble("cosine"), 1e-6);
        assertEquals(Vectors.norm(va), s.getDouble("norm_a"), 1e-4);
        JsonPath d = given().get("/api/explorer/stories260K/direction?from=he&to=she&k=5").then().statusCode(200).extract().jsonPath();
        assertEquals(5, d.getList("most").size());
        assertTrue(d.getDouble("most[0].score") > d.getDouble("least[0].score"));
        List<String> found = given().get("/api/explorer/stories260K/search?q=pl&limit=50").then().statusCode(200)
                .extract().jsonPath().getList("results.piece", String.class);
        assertFalse(found.isEmpty());
        for (String p : found) {
            assertTrue(p.strip().toLowerCase().startsWith("pl"), p);
        }
        given().get("/api/explorer/stories260K/search?q=ay&mode=substring").then().statusCode(200)
                .body("results.piece", org.hamcrest.Matchers.everyItem(containsString("ay")));
    }

    private float[] vectorOf(List<Integer> ids) {
        float[][] rows = ids.stream().map(this::row).toArray(float[][]::new);
        return rows.length == 1 ? rows[0] : Vectors.mean(rows);
    }

    @Test
    void aSeparateUnembeddingHasItsOwnIndex() throws Exception {
        var m = registry.resolve("stories260K");
        assertFalse(m.model().tiedEmbeddings(), "stories260K has its own output.weight");
        explorer.await(m, ExplorerService.Matrix.WU);
        JsonPath j = given().get("/api/explorer/stories260K/neighbors?token=403&k=3&matrix=wu").then().statusCode(200).extract().jsonPath();
        assertEquals(Vectors.cosine(m.model().unembeddingRow(403), m.model().unembeddingRow(j.getInt("results[0].id"))),
                j.getDouble("results[0].score"), 1e-6);
    }

    @Test
    void aMultiTokenWordIsSaidSo() {
        given().get("/api/explorer/stories260K/neighbors?text=Thunderstorm&k=3").then().statusCode(200)
                .body("query.note", containsString("tokens; these results are for the mean"));
    }

    @Test
    void anInterruptedBuildIsRebuiltAndAFinishedOneReused() throws Exception {
        var m = registry.resolve("stories260K");
        var dir = explorer.folder(m, ExplorerService.Matrix.WE);
        assertTrue(EmbeddingIndex.complete(dir));
        assertTrue(Files.exists(dir.resolve("COMPLETE")));
        // a half-written build beside it is never opened
        var partial = dir.resolveSibling("we.building-test");
        Files.createDirectories(partial);
        Files.writeString(partial.resolve("_0.cfs"), "half");
        assertFalse(EmbeddingIndex.complete(partial));
        EmbeddingIndex.deleteTree(partial);
        given().get("/api/explorer/stories260K/index").then().body("message", containsString("index: 512 rows"));
    }

    @Test
    void badQueries() {
        given().get("/api/explorer/stories260K/neighbors").then().statusCode(400).body("error.message", containsString("token"));
        given().get("/api/explorer/stories260K/neighbors?token=99999").then().statusCode(400).body("error.message", containsString("outside"));
        given().get("/api/explorer/stories260K/neighbors?token=1&k=0").then().statusCode(400);
        given().get("/api/explorer/stories260K/neighbors?token=1&metric=l2").then().statusCode(400);
        given().get("/api/explorer/nope/neighbors?token=1").then().statusCode(404);
        given().get("/api/explorer/stories260K/neighbors?token=1&matrix=xx").then().statusCode(400).body("error.message", containsString("'we' or 'wu'"));
        var dot = given().get("/api/explorer/stories260K/neighbors?token=403&k=3&metric=dot").then().statusCode(200).extract().jsonPath();
        assertEquals(Vectors.dot(row(403), row(dot.getInt("results[0].id"))), dot.getDouble("results[0].score"), 1e-4);
    }
}
