package io.gptlens.web.steering;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufValue;
import io.gptlens.core.model.Model;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steering over HTTP on stories260K: directions made from W_E arithmetic and from prompts, listed,
 * applied in completions and deleted. The effect of a last-layer direction is checked against a
 * direct computation: the unsteered last residual plus the direction, through the final RMS norm and W_U.
 */
@QuarkusTest
class SteeringApiTest {

    static final String ADMIN = "Bearer test-secret";
    static final String PROMPT = "Once upon a time";

    @Inject
    ModelRegistry registry;

    @Inject
    SteeringService steering;

    private static JsonPath create(Map<String, Object> body) {
        return given().header("Authorization", ADMIN).contentType(ContentType.JSON).body(body).post("/api/steering/directions")
                .then().statusCode(201).extract().jsonPath();
    }

    private static int status(Map<String, Object> body) {
        return given().header("Authorization", ADMIN).contentType(ContentType.JSON).body(body).post("/api/steering/directions").statusCode();
    }

    /** The model's top-10 log-probabilities after the prompt, by id, from llama-server's API, steered as asked. */
    private static Map<Integer, Double> top(List<Map<String, Object>> steer) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("model", "stories260K", "prompt", PROMPT, "n_probs", 10, "n_predict", 1, "temperature", 0.0));
        if (steer != null) {
            body.put("steering", steer);
        }
        JsonPath r = given().contentType(ContentType.JSON).body(body).post("/completion").then().statusCode(200).extract().jsonPath();
        Map<Integer, Double> out = new LinkedHashMap<>();
        for (Map<String, Object> e : r.<Map<String, Object>>getList("completion_probabilities[0].top_logprobs")) {
            out.put(((Number) e.get("id")).intValue(), ((Number) e.get("logprob")).doubleValue());
        }
        return out;
    }

    /** log softmax of {@code W_U (rmsnorm(h + add) * w)}, computed here from the model's tensors. */
    static double[] expectedLogprobs(Model model, float[] h, float[] add) {
        GgufFile g = model.gguf().orElseThrow();
        float[] w = g.row(g.tensor("output_norm.weight").orElseThrow(), 0);
        double eps = ((GgufValue.Float) g.get("llama.attention.layer_norm_rms_epsilon").orElseThrow()).value();
        int d = h.length;
        double[] x = new double[d];
        double ms = 0;
        for (int i = 0; i < d; i++) {
            x[i] = h[i] + add[i];
            ms += x[i] * x[i];
        }
        double scale = 1 / Math.sqrt(ms / d + eps);
        int vocab = model.tokenizer().vocabularySize();
        double[] logits = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < vocab; t++) {
            float[] u = model.unembeddingRow(t);
            double dot = 0;
            for (int i = 0; i < d; i++) {
                dot += x[i] * scale * w[i] * u[i];
            }
            logits[t] = dot;
            max = Math.max(max, dot);
        }
        double sum = 0;
        for (double l : logits) {
            sum += Math.exp(l - max);
        }
        double lse = max + Math.log(sum);
        for (int t = 0; t < vocab; t++) {
            logits[t] -= lse;
        }
        return logits;
    }

    @Test
    void aWeDirectionOnTheLastLayerMovesTheDistributionAsComputedAndStrengthZeroChangesNothing() {
        LoadedModel m = registry.resolve("stories260K");
        Model model = m.model();
        int last = model.info().layers() - 1;
        JsonPath made = create(Map.of("model", "stories260K", "name", "Lily to Tom", "from", " Lily", "to", " Tom", "layers", List.of(last, last)));
        String id = made.getString("id");
        assertEquals(List.of(last, last), made.getList("layers", Integer.class));
        assertTrue(given().get("/api/steering/directions?model=stories260K").then().statusCode(200).extract().jsonPath()
                .getList("data.id", String.class).contains(id));

        Map<Integer, Double> plain = top(null);
        assertEquals(plain, top(List.of(Map.of("direction", id, "strength", 0.0))), "strength 0 changes nothing");
        int[] tokens = model.tokenizer().encode(PROMPT, true, false);
        float[] h = model.internals(tokens).residual().getLast()[tokens.length - 1];
        for (double s : new double[]{2, -2}) {
            float[] add = steering.direction(m, id).at(last).clone();
            for (int i = 0; i < add.length; i++) {
                add[i] *= (float) s;
            }
            double[] want = expectedLogprobs(model, h, add);
            Map<Integer, Double> got = top(List.of(Map.of("direction", id, "strength", s)));
            for (Map.Entry<Integer, Double> e : got.entrySet()) {
                assertEquals(want[e.getKey()], e.getValue(), 2e-3, "token " + e.getKey() + " at strength " + s);
            }
            // and it did move them (which way a W_E difference moves a token is the model's business: W_U is not W_E here)
            assertTrue(got.entrySet().stream().anyMatch(e -> Math.abs(e.getValue() - plain.getOrDefault(e.getKey(), -100.0)) > 1e-2),
                    "strength " + s + " moved nothing: " + got + " vs " + plain);
        }
        // the same steering in OpenAI's completions shape runs too (its numbers are the same service's)
        given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", PROMPT, "max_tokens", 3, "temperature", 0,
                "steering", List.of(Map.of("direction", id, "strength", 2.0)))).post("/v1/completions").then().statusCode(200);

        given().header("Authorization", ADMIN).delete("/api/steering/directions/" + id + "?model=stories260K").then().statusCode(204);
        given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", PROMPT, "max_tokens", 1,
                "steering", List.of(Map.of("direction", id, "strength", 1.0)))).post("/v1/completions").then().statusCode(404);
    }

    @Test
    void aContrastiveDirectionIsTheResidualDifferenceComputedDirectly() {
        LoadedModel m = registry.resolve("stories260K");
        Model model = m.model();
        String pos = "Lily was very happy";
        String neg = "Lily was very sad";
        String mean = create(Map.of("model", "stories260K", "positive", List.of(pos), "negative", List.of(neg))).getString("id");
        String pca = create(Map.of("model", "stories260K", "positive", List.of(pos), "negative", List.of(neg), "method", "pca")).getString("id");
        int[] a = model.tokenizer().encode(pos, true, true);
        int[] b = model.tokenizer().encode(neg, true, true);
        List<float[][]> ra = model.internals(a).residual();
        List<float[][]> rb = model.internals(b).residual();
        for (int l = 1; l < model.info().layers(); l++) {
            float[] dm = steering.direction(m, mean).at(l);
            float[] dp = steering.direction(m, pca).at(l);
            for (int i = 0; i < dm.length; i++) {
                double want = ra.get(l)[a.length - 1][i] - rb.get(l)[b.length - 1][i];
                assertEquals(want, dm[i], 1e-4, "mean, layer " + l + ", value " + i);
                assertEquals(want, dp[i], 1e-3, "one pair: its principal component is its difference, layer " + l);
            }
        }
    }

    @Test
    void badRequestsSayWhat() {
        assertEquals(400, status(Map.of("model", "stories260K", "from", " Lily")));
        assertEquals(400, status(Map.of("model", "stories260K", "from", " Lily", "to", " Tom", "positive", List.of("a"))));
        assertEquals(400, status(Map.of("model", "stories260K", "from", " Lily", "to", " Tom", "layers", List.of(0, 2))));
        assertEquals(400, status(Map.of("model", "stories260K", "positive", List.of("a", "b"), "negative", List.of("c"), "method", "pca")));
        assertEquals(400, status(Map.of("model", "stories260K", "positive", List.of("a"), "negative", List.of("c"), "method", "median")));
        assertEquals(404, status(Map.of("model", "no-such-model", "from", "a", "to", "b")));
        String msg = given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", PROMPT, "max_tokens", 1,
                "steering", List.of(Map.of("direction", "dir-000000000000", "strength", 1.0)))).post("/v1/completions").then().statusCode(404)
                .extract().jsonPath().getString("error.message");
        assertTrue(msg.contains("no direction"), msg);
        assertEquals(400, given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", PROMPT, "max_tokens", 1,
                "steering", List.of(Map.of("direction", "dir-000000000000")))).post("/v1/completions").statusCode());
        assertEquals(401, given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "from", "a", "to", "b"))
                .post("/api/steering/directions").statusCode(), "making a direction needs the admin token");
    }
}
