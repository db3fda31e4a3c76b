package io.gptlens.web.internals;

import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.llamacpp.TestFiles;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /api/internals} on a model of real depth and vocabulary: 24 layers, 14 heads,
 * Qwen2's 151,665 tokens (GGUF writer, random weights), a 512-token prompt. The logit lens's last
 * layer is checked against llama.cpp's own logits for the prompt (the last layer's residual through
 * the final norm and W_U is what llama.cpp computes), the selected head against the same head
 * captured with all heads of its layer, and attention rows against the softmax's definition.
 */
@QuarkusTest
public class InternalsApiTest {

    public static final String ID = "qwen2-vocab-24l";
    static final int N = 512;

    @Inject
    ModelRegistry registry;

    private static boolean loaded;

    @BeforeEach
    void load() throws Exception {
        if (loaded) {
            return;
        }
        loaded = true;
        Path file = modelFile();
        given().header("Authorization", "Bearer test-secret").contentType(ContentType.JSON).body(Map.of("path", file.toAbsolutePath().toString()))
                .post("/api/models").then().statusCode(201);
    }

    @AfterEach
    void unload() {
        given().header("Authorization", "Bearer test-secret").delete("/api/models/" + ID);
        loaded = false;
    }

    /** The 24-layer, 14-head model with Qwen2's vocabulary (written once into target/). */
    public static Path modelFile() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "internals"));
        Path file = dir.resolve(ID + ".gguf");
        if (!Files.exists(file)) {
            TestFiles.randomLlama(Path.of(System.getProperty("gptlens.llama.source"), "models", "ggml-vocab-qwen2.gguf"), file, 112, 224, 14, 24, 21);
        }
        return file;
    }

    static int[] prompt() {
        return new Random(3).ints(N, 0, 151_643).toArray();
    }

    static JsonPath post(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/internals").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void oneHeadOfTheLastLayerAndTheLogitLensOver512Tokens() {
        int[] tokens = prompt();
        JsonPath j = post(Map.of("model", ID, "tokens", tokens, "layer", 23, "head", 13, "lens_position", -1, "lens_top", 5));
        System.out.printf("24 layers × 14 heads × 151,936 rows, %d tokens: capture %.0f ms, logit lens (all layers, one position) %.0f ms, %.1f MB kept%n",
                N, j.getDouble("timings.capture_ms"), j.getDouble("timings.lens_ms"), j.getLong("captured_bytes") / 1e6);
        assertEquals(24, j.getInt("layers"));
        assertEquals(14, j.getInt("heads"));
        assertEquals(N, j.getList("tokens").size());
        List<List<Float>> norms = j.getList("residual_norms");
        assertEquals(24, norms.size());
        norms.forEach(l -> assertEquals(N, l.size()));
        assertTrue(j.getLong("captured_bytes") < 8_000_000, "one head and one position are kept, not all attention: " + j.getLong("captured_bytes"));

        List<List<Float>> w = j.getList("attention.weights");
        assertEquals(N, w.size());
        for (int q = 0; q < N; q += 37) {
            List<Float> row = w.get(q);
            double sum = 0;
            for (int k = 0; k < N; k++) {
                if (k > q) {
                    assertEquals(0f, row.get(k), "causal: query " + q + " gives key " + k + " nothing");
                }
                sum += row.get(k);
            }
            assertEquals(1.0, sum, 1e-3, "softmax row " + q);
        }
        // the same head, captured with all 14 heads of the layer, for the queries 100..200
        JsonPath all = post(Map.of("model", ID, "tokens", tokens, "layer", 23, "from", 100, "to", 200));
        List<List<List<Float>>> heads = all.getList("attention.weights");
        assertEquals(14, heads.size());
        assertEquals(100, heads.get(13).size());
        for (int q = 100; q < 200; q += 9) {
            assertEquals(w.get(q), heads.get(13).get(q - 100), "head 13, query " + q);
        }
        assertNull(all.get("logit_lens"));

        // the lens's last layer = llama.cpp's own next-token distribution after the prompt
        var model = registry.resolve(ID).model();
        float[] logits;
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(N + 16))) {
            for (int off = 0; off < N; off += s.batchSize()) {
                s.evaluate(Batch.of(java.util.Arrays.copyOfRange(tokens, off, Math.min(N, off + s.batchSize())), off, 0));
            }
            logits = s.logits(-1);
        }
        List<Integer> llama = IntStream.range(0, logits.length).boxed().sorted(Comparator.comparingDouble((Integer i) -> -logits[i])).limit(5).toList();
        List<Integer> lens = j.getList("logit_lens.layers[23].id", Integer.class);
        assertEquals(llama, lens, "the logit lens at the last layer is the model's own prediction");
        List<Float> lensLogits = j.getList("logit_lens.layers[23].logit", Float.class);
        for (int i = 0; i < 5; i++) {
            assertEquals(logits[llama.get(i)], lensLogits.get(i), 2e-2 * Math.max(1, Math.abs(logits[llama.get(i)])), "logit " + i);
        }
        assertEquals(24, j.getList("logit_lens.layers").size());
    }

    @Test
    void outOfRangeRequestsAreClearErrors() {
        given().contentType(ContentType.JSON).body(Map.of("model", ID, "prompt", "Hello", "layer", 24)).post("/api/internals").then().statusCode(400)
                .body("error.message", containsString("layer must be in [0, 24)"));
        given().contentType(ContentType.JSON).body(Map.of("model", ID, "prompt", "Hello", "layer", 0, "head", 14)).post("/api/internals").then()
                .statusCode(400).body("error.message", containsString("head must be in [0, 14)"));
        given().contentType(ContentType.JSON).body(Map.of("model", ID, "tokens", new int[N + 1])).post("/api/internals").then().statusCode(400)
                .body("error.message", containsString("1 to 512 tokens"));
        given().contentType(ContentType.JSON).body(Map.of("model", ID, "tokens", new int[]{1, 2, 3}, "lens_position", 3)).post("/api/internals").then()
                .statusCode(400).body("error.message", containsString("lens_position"));
        given().contentType(ContentType.JSON).body(Map.of("model", ID)).post("/api/internals").then().statusCode(400);
    }
}
