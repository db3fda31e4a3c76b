package io.gptlens.web.api;

import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prompt scoring ({@code echo} with {@code logprobs}, as lm-evaluation-harness asks it) against a
 * direct computation: each prefix evaluated on its own in a fresh session, its last logits turned
 * into log-probabilities here, in double precision.
 */
@QuarkusTest
class PromptScoringTest {

    @Inject
    ModelRegistry registry;

    /** log p(tokens[i] | tokens[0..i)) for i >= 1, computed prefix by prefix. */
    private static double[] direct(LoadedModel m, int[] tokens) {
        double[] out = new double[tokens.length];
        out[0] = Double.NaN;
        try (Session s = m.model().newSession(new SessionOptions(512, 512, 1, 1, false, false))) {
            for (int i = 1; i < tokens.length; i++) {
                s.clear();
                s.evaluate(Batch.of(java.util.Arrays.copyOf(tokens, i), 0, 0));
                float[] l = s.logits(-1);
                double max = Double.NEGATIVE_INFINITY;
                for (float x : l) {
                    max = Math.max(max, x);
                }
                double sum = 0;
                for (float x : l) {
                    sum += Math.exp(x - max);
                }
                out[i] = l[tokens[i]] - max - Math.log(sum);
            }
        }
        return out;
    }

    @Test
    void echoWithLogprobsAndNoNewTokensScoresThePromptAsADirectComputationDoes() {
        LoadedModel m = registry.resolve("stories260K");
        int[] ids = m.model().tokenizer().encode("Once upon a time, there was a little dog named Max.", true, true);
        double[] expected = direct(m, ids);
        List<Integer> prompt = java.util.Arrays.stream(ids).boxed().toList();
        JsonPath r = given().contentType("application/json")
                .body(Map.of("prompt", prompt, "echo", true, "logprobs", 3, "max_tokens", 0))
                .post("/v1/completions").then().statusCode(200).extract().jsonPath();
        assertEquals(0, r.getInt("usage.completion_tokens"));
        assertEquals(ids.length, r.getInt("usage.prompt_tokens"));
        List<Integer> tokenIds = r.getList("choices[0].logprobs.token_ids", Integer.class);
        assertEquals(prompt, tokenIds);
        List<Float> lps = r.getList("choices[0].logprobs.token_logprobs");
        assertNull(lps.get(0), "nothing predicts the first token");
        assertNull(r.get("choices[0].logprobs.top_logprobs[0]"));
        for (int i = 1; i < ids.length; i++) {
            assertEquals(expected[i], ((Number) lps.get(i)).doubleValue(), 1e-4, "token " + i);
            Map<String, Float> top = r.getMap("choices[0].logprobs.top_logprobs[" + i + "]");
            assertEquals(3, top.size());
            double best = top.values().stream().mapToDouble(Number::doubleValue).max().orElseThrow();
            assertTrue(best >= expected[i] - 1e-4, "the best alternative is at least as likely as the token itself");
        }
        assertEquals(m.model().tokenizer().decode(ids, false, true), r.getString("choices[0].text"));
    }

    @Test
    void echoOfATextPromptComesBeforeTheGeneratedTokensWithTheirOwnLogprobs() {
        JsonPath r = given().contentType("application/json")
                .body(Map.of("prompt", "Once upon a time", "echo", true, "logprobs", 1, "max_tokens", 4, "temperature", 0))
                .post("/v1/completions").then().statusCode(200).extract().jsonPath();
        String text = r.getString("choices[0].text");
        assertTrue(text.startsWith("Once upon a time"), text);
        assertTrue(text.substring("Once upon a time".length()).startsWith(", there"), text); // greedy: ApiTest.KNOWN
        List<Object> lps = r.getList("choices[0].logprobs.token_logprobs");
        assertEquals(r.getInt("usage.prompt_tokens") + 4, lps.size());
    }

    @Test
    void aModelWithoutAChatTemplateCannotChatAndSaysHowToGiveItOne() {
        given().contentType("application/json").body(Map.of("messages", List.of(Map.of("role", "user", "content", "Hi"))))
                .post("/v1/chat/completions").then().statusCode(400)
                .body("error.message", containsString("has no chat template")).body("error.message", containsString("--chat-template"));
        given().contentType("application/json").body(Map.of("messages", List.of(Map.of("role", "user", "content", "Hi"))))
                .post("/apply-template").then().statusCode(400).body("error.type", equalTo("invalid_request_error"));
    }

    @Test
    void metricsUseLlamaServersNamesAndCountWhatRan() {
        given().contentType("application/json").body(Map.of("prompt", "Once upon a time", "n_predict", 5, "seed", 1))
                .post("/completion").then().statusCode(200).body("tokens_predicted", equalTo(5));
        String metrics = given().get("/metrics").then().statusCode(200).extract().asString();
        for (String name : List.of("llamacpp:prompt_tokens_total", "llamacpp:tokens_predicted_total", "llamacpp:prompt_seconds_total",
                "llamacpp:tokens_predicted_seconds_total", "llamacpp:prompt_tokens_seconds", "llamacpp:predicted_tokens_seconds",
                "llamacpp:requests_processing", "gptlens_completions_total")) {
            assertTrue(metrics.contains("\n" + name), name + " in\n" + metrics);
        }
        assertTrue(metrics.contains("# TYPE llamacpp:tokens_predicted counter"), metrics); // the family; its sample is ..._total
        assertTrue(metrics.contains("# TYPE llamacpp:requests_processing gauge"), metrics);
        double predicted = value(metrics, "llamacpp:tokens_predicted_total");
        assertTrue(predicted >= 5, "at least this test's 5 tokens: " + predicted);
        assertEquals(0, value(metrics, "llamacpp:requests_processing"));
    }

    private static double value(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{")).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElseThrow(() -> new AssertionError(name + " missing"));
    }

    @Test
    void theOpenApiDescriptionListsTheCompletionEndpoints() {
        String doc = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        for (String path : List.of("/v1/completions", "/v1/chat/completions", "/completion", "/apply-template", "/tokenize")) {
            assertTrue(doc.contains("\"" + path + "\""), path);
        }
    }
}
