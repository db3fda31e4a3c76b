package io.gptlens.web.internals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Causal tracing over HTTP on stories260K ("Lily" against "Tim"; "Tom" is two tokens in its 512-token vocabulary), its end points checked against llama-server's own probabilities. */
@QuarkusTest
class PatchingApiTest {

    static final String CLEAN = "Lily went to the park. Then Lily";
    static final String CORRUPTED = "Tim went to the park. Then Lily";

    private static double p(String prompt, String token) {
        JsonPath c = given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", prompt, "n_probs", 20, "n_predict", 1,
                "temperature", 0.0)).post("/completion").then().statusCode(200).extract().jsonPath();
        for (Map<String, Object> e : c.<Map<String, Object>>getList("completion_probabilities[0].top_logprobs")) {
            if (token.equals(e.get("token"))) {
                return Math.exp(((Number) e.get("logprob")).doubleValue());
            }
        }
        throw new AssertionError(token + " not among the alternatives");
    }

    @Test
    void theHeatmapsNumbers() {
        JsonPath r = given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "clean", CLEAN, "corrupted", CORRUPTED, "target", " was"))
                .post("/api/patching").then().statusCode(200).extract().jsonPath();
        int layers = r.getInt("layers");
        List<Map<String, Object>> positions = r.getList("positions");
        assertEquals(5, layers);
        assertEquals(" Lily", positions.get(1).get("clean"));
        assertEquals(" Tim", positions.get(1).get("corrupted"));
        assertEquals(p(CLEAN, " was"), r.getDouble("p_clean"), 1e-4);
        assertEquals(p(CORRUPTED, " was"), r.getDouble("p_corrupted"), 1e-4);
        List<List<Number>> recovered = r.getList("recovered");
        assertEquals(layers, recovered.size());
        int n = positions.size();
        assertEquals(1.0, recovered.get(layers - 1).get(n - 1).doubleValue(), 1e-3, "the last layer's last residual brings it all back");
        for (int pos = 0; pos < n - 1; pos++) {
            assertEquals(0.0, recovered.get(layers - 1).get(pos).doubleValue(), 1e-9);
        }
        assertTrue(Math.abs(r.getDouble("p_clean") - r.getDouble("p_corrupted")) > 1e-3, "the corruption matters: " + r.getDouble("p_clean")
                + " vs " + r.getDouble("p_corrupted"));
    }

    @Test
    void badRequestsSayWhat() {
        assertEquals(400, given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "clean", "Lily went", "corrupted", "Tom went home",
                "target", " was")).post("/api/patching").statusCode());
        assertEquals(400, given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "clean", CLEAN, "corrupted", CORRUPTED,
                "target", " was very")).post("/api/patching").statusCode());
        assertEquals(400, given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "clean", CLEAN)).post("/api/patching").statusCode());
    }
}
