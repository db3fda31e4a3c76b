package io.gptlens.web.steering;

import io.gptlens.core.model.Model;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The side-by-side comparison over HTTP on stories260K, with a W_E direction on the last layer only,
 * so that the steered distribution is a direct computation (the unsteered last residual plus the
 * direction, through the final RMS norm and W_U): the gained and lost tokens are exactly the largest
 * rises and falls over the whole vocabulary, with their probabilities; both texts are what
 * {@code /v1/completions} gives with the same seed, without and with the steering.
 */
@QuarkusTest
class SteeringCompareApiTest {

    @Inject
    ModelRegistry registry;

    @Inject
    SteeringService steering;

    private static String completion(List<Map<String, Object>> steer) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("model", "stories260K", "prompt", SteeringApiTest.PROMPT, "max_tokens", 12,
                "temperature", 0.8, "seed", 7));
        if (steer != null) {
            body.put("steering", steer);
        }
        return given().contentType(ContentType.JSON).body(body).post("/v1/completions").then().statusCode(200).extract().jsonPath()
                .getString("choices[0].text");
    }

    @Test
    void theShiftsAreTheLargestRisesAndFallsAndTheTextsAreBothCompletions() {
        LoadedModel m = registry.resolve("stories260K");
        Model model = m.model();
        int last = model.info().layers() - 1;
        String id = given().header("Authorization", SteeringApiTest.ADMIN).contentType(ContentType.JSON)
                .body(Map.of("model", "stories260K", "from", " Lily", "to", " Tom", "layers", List.of(last, last))).post("/api/steering/directions")
                .then().statusCode(201).extract().jsonPath().getString("id");
        double s = 3;
        List<Map<String, Object>> steer = List.of(Map.of("direction", id, "strength", s));
        JsonPath c = given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", SteeringApiTest.PROMPT, "steering", steer,
                "max_tokens", 12, "temperature", 0.8, "seed", 7, "top", 6)).post("/api/steering/compare").then().statusCode(200).extract().jsonPath();

        int[] tokens = model.tokenizer().encode(SteeringApiTest.PROMPT, true, false);
        float[] h = model.internals(tokens).residual().getLast()[tokens.length - 1];
        float[] add = steering.direction(m, id).at(last).clone();
        for (int i = 0; i < add.length; i++) {
            add[i] *= (float) s;
        }
        double[] before = SteeringApiTest.expectedLogprobs(model, h, new float[add.length]);
        double[] after = SteeringApiTest.expectedLogprobs(model, h, add);
        double[] change = IntStream.range(0, before.length).mapToDouble(t -> Math.exp(after[t]) - Math.exp(before[t])).toArray();
        List<Integer> rises = IntStream.range(0, change.length).boxed().sorted(Comparator.comparingDouble(t -> -change[t])).limit(6).toList();
        List<Integer> falls = IntStream.range(0, change.length).boxed().sorted(Comparator.comparingDouble(t -> change[t])).limit(6).toList();
        assertEquals(rises, c.getList("gained.id", Integer.class), "the six largest rises, largest first");
        assertEquals(falls, c.getList("lost.id", Integer.class), "the six largest falls");
        for (String side : List.of("gained", "lost")) {
            List<Map<String, Object>> rows = c.getList(side);
            for (Map<String, Object> r : rows) {
                int t = ((Number) r.get("id")).intValue();
                assertEquals(Math.exp(before[t]), ((Number) r.get("before")).doubleValue(), 2e-4, side + " " + t + " before");
                assertEquals(Math.exp(after[t]), ((Number) r.get("after")).doubleValue(), 2e-4, side + " " + t + " after");
            }
        }
        double tv = IntStream.range(0, change.length).mapToDouble(t -> Math.abs(change[t])).sum() / 2;
        assertEquals(tv, c.getDouble("total_variation"), 1e-3);

        assertEquals(completion(null), c.getString("plain.content"), "the plain side is an unsteered completion with the same seed");
        assertEquals(completion(steer), c.getString("steered.content"), "the steered side is the steered completion");
        assertNotEquals(c.getString("plain.content"), c.getString("steered.content"), "strength 3 on the last layer changes the text");

        given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", "x", "steering", List.of(Map.of("direction", id, "strength", 0.0))))
                .post("/api/steering/compare").then().statusCode(400);
        given().header("Authorization", SteeringApiTest.ADMIN).delete("/api/steering/directions/" + id + "?model=stories260K").then().statusCode(204);
    }
}
