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

/** Direct logit attribution over HTTP on stories260K, its logit checked against llama-server's own answer. */
@QuarkusTest
class AttributionApiTest {

    static final String PROMPT = "Once upon a time";

    @Test
    void thePartsSumToTheLogitTheCompletionApiReports() {
        // the oracle: the top token after the prompt and its log-probability, from /completion
        JsonPath c = given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", PROMPT, "n_probs", 2, "n_predict", 1,
                "temperature", 0.0)).post("/completion").then().statusCode(200).extract().jsonPath();
        int top = c.getInt("completion_probabilities[0].top_logprobs[0].id");
        int second = c.getInt("completion_probabilities[0].top_logprobs[1].id");
        double gap = c.getDouble("completion_probabilities[0].top_logprobs[0].logprob") - c.getDouble("completion_probabilities[0].top_logprobs[1].logprob");
        JsonPath a = attribute(top);
        JsonPath b = attribute(second);
        assertEquals(5, a.getList("layers").size());
        double sum = a.getDouble("embedding") + a.getDouble("remainder");
        for (Map<String, Number> l : a.<Map<String, Number>>getList("layers")) {
            sum += l.get("attention").doubleValue() + l.get("mlp").doubleValue();
        }
        assertEquals(a.getDouble("logit"), sum, 1e-3);
        assertTrue(Math.abs(a.getDouble("remainder")) < 1e-3, "RMS norm without bias: the parts are the whole logit, remainder " + a.getDouble("remainder"));
        // two logits differ by what their log-probabilities differ by
        assertEquals(gap, a.getDouble("logit") - b.getDouble("logit"), 1e-3);
        // a token by its text is the same as by its id
        String piece = a.getString("token.piece");
        assertEquals(a.getDouble("logit"), given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", PROMPT, "token", piece))
                .post("/api/attribution").then().statusCode(200).extract().jsonPath().getDouble("logit"), 1e-9);
    }

    private static JsonPath attribute(int token) {
        return given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", PROMPT, "token", token))
                .post("/api/attribution").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void badRequestsSayWhat() {
        for (Map<String, Object> body : List.<Map<String, Object>>of(Map.of("model", "stories260K", "prompt", PROMPT),
                Map.of("model", "stories260K", "prompt", PROMPT, "token", 99999),
                Map.of("model", "stories260K", "prompt", PROMPT, "token", " upon a time"),
                Map.of("model", "stories260K", "prompt", PROMPT, "token", List.of(1)))) {
            assertEquals(400, given().contentType(ContentType.JSON).body(body).post("/api/attribution").statusCode(), body.toString());
        }
    }
}
