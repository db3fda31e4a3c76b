package io.gptlens.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llama.cpp's own server tests ({@code tools/server/tests/unit/test_completion.py},
 * {@code test_chat_completion.py}, {@code test_tokenize.py} in llama.cpp's source bundle), ported
 * with their expected values: the same stories260K model, the same prompts, seed 42 and
 * llama-server's default sampling (top-k 40, top-p 0.95, min-p 0.05, temperature 0.8, then
 * llama.cpp's own {@code dist}). llama-server's tests run it with {@code --seed 42}; here each
 * request names the seed, and chat requests name llama-server's chain as GPTLens's
 * {@code samplers}. Chats go through the built-in ChatML, as llama-server falls back to it for
 * a model without a template. The cases left out, and why, are listed in docs/api.md.
 */
@QuarkusTest
@TestProfile(ChatmlProfile.class)
class LlamaServerCompatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MEANING = "I believe the meaning of life is";
    private static final String JOKE = "Write a joke about AI from a very long prompt which will not be truncated";

    /** llama-server's default chain with its test seed, in GPTLens's {@code samplers} form. */
    private static final List<Map<String, Object>> LLAMA_SERVER_CHAIN = List.of(
            Map.of("name", "llama.top-k", "params", Map.of("k", 40)),
            Map.of("name", "llama.top-p", "params", Map.of("p", 0.95)),
            Map.of("name", "llama.min-p", "params", Map.of("p", 0.05)),
            Map.of("name", "llama.temperature", "params", Map.of("t", 0.8)),
            Map.of("name", "llama.dist", "params", Map.of("seed", 42)));

    private static boolean matches(String regex, String text) {
        return Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.MULTILINE | Pattern.DOTALL).matcher(text).find();
    }

    private static JsonPath post(String path, Map<String, Object> body) {
        return given().contentType("application/json").body(body).post(path).then().statusCode(200).extract().jsonPath();
    }

    /** The events of a streamed answer, parsed. */
    private static List<JsonNode> stream(String path, Map<String, Object> body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + io.restassured.RestAssured.port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        HttpResponse<java.util.stream.Stream<String>> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, res.statusCode());
        List<JsonNode> out = new ArrayList<>();
        for (String line : (Iterable<String>) res.body()::iterator) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                out.add(JSON.readTree(line.substring(6)));
            }
        }
        return out;
    }

    private static Map<String, Object> with(Map<String, Object> base, Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    // ---- test_completion.py

    @Test
    void completion() {
        JsonPath r = post("/completion", Map.of("n_predict", 8, "prompt", MEANING, "return_tokens", false, "seed", 42));
        assertEquals(18, r.getInt("timings.prompt_n"));
        assertEquals(8, r.getInt("timings.predicted_n"));
        assertFalse(r.getBoolean("truncated"));
        assertTrue(r.get("has_new_line") instanceof Boolean);
        assertTrue(matches("(going|bed)+", r.getString("content")), r.getString("content"));
        assertEquals(List.of(), r.getList("tokens"));

        JsonPath r2 = post("/completion", Map.of("n_predict", 64, "prompt", JOKE, "return_tokens", true, "seed", 42));
        assertEquals(46, r2.getInt("timings.prompt_n"));
        assertEquals(64, r2.getInt("timings.predicted_n"));
        assertFalse(r2.getBoolean("truncated"));
        assertTrue(matches("(princesses|everyone|kids|Anna|forest)+", r2.getString("content")), r2.getString("content"));
        assertEquals(64, r2.getList("tokens", Integer.class).size());
    }

    @Test
    void completionStream() throws Exception {
        for (var row : List.of(Map.of("n", 8, "prompt", MEANING, "re", "(going|bed)+", "pn", 18),
                Map.of("n", 64, "prompt", JOKE, "re", "(princesses|everyone|kids|Anna|forest)+", "pn", 46))) {
            List<JsonNode> events = stream("/completion", Map.of("n_predict", row.get("n"), "prompt", row.get("prompt"), "stream", true,
                    "seed", 42));
            StringBuilder content = new StringBuilder();
            for (JsonNode e : events) {
                assertTrue(e.get("stop").isBoolean());
                if (e.get("stop").asBoolean()) {
                    assertEquals(row.get("pn"), e.at("/timings/prompt_n").asInt());
                    assertEquals(row.get("n"), e.at("/timings/predicted_n").asInt());
                    assertFalse(e.get("truncated").asBoolean());
                    assertEquals("limit", e.get("stop_type").asText());
                    assertTrue(e.get("has_new_line").isBoolean());
                    assertEquals(row.get("n"), e.at("/generation_settings/n_predict").asInt());
                    assertEquals(42, e.at("/generation_settings/seed").asInt());
                } else {
                    assertTrue(e.get("tokens").size() > 0);
                    content.append(e.get("content").asText());
                }
            }
            assertTrue(matches((String) row.get("re"), content.toString()), content.toString());
        }
    }

    @Test
    void completionStreamVsNonStream() throws Exception {
        Map<String, Object> body = Map.of("n_predict", 8, "prompt", MEANING, "seed", 42);
        StringBuilder streamed = new StringBuilder();
        for (JsonNode e : stream("/completion", with(body, "stream", true))) {
            streamed.append(e.get("content").asText());
        }
        assertEquals(post("/completion", body).getString("content"), streamed.toString());
    }

    @Test
    void completionWithOpenAiShape() throws Exception {
        JsonPath r = post("/v1/completions", Map.of("model", "stories260K", "prompt", MEANING, "max_tokens", 8, "samplers", LLAMA_SERVER_CHAIN));
        assertEquals("length", r.getString("choices[0].finish_reason"));
        assertTrue(matches("(going|bed)+", r.getString("choices[0].text")));
        StringBuilder text = new StringBuilder();
        for (JsonNode e : stream("/v1/completions", Map.of("prompt", MEANING, "max_tokens", 8, "stream", true, "samplers", LLAMA_SERVER_CHAIN))) {
            if (e.at("/choices/0/finish_reason").isNull()) {
                text.append(e.at("/choices/0/text").asText());
            }
        }
        assertTrue(matches("(going|bed)+", text.toString()), text.toString());
    }

    @Test
    void consistentResultSameSeedAndDifferentResultDifferentSeed() {
        String first = null;
        for (int i = 0; i < 4; i++) {
            String c = post("/completion", Map.of("prompt", MEANING, "seed", 42, "temperature", 0.0, "cache_prompt", false)).getString("content");
            first = first == null ? c : first;
            assertEquals(first, c);
        }
        String last = null;
        for (int seed = 0; seed < 4; seed++) {
            String c = post("/completion", Map.of("prompt", MEANING, "seed", seed, "temperature", 1.0, "cache_prompt", false)).getString("content");
            if (last != null) {
                assertNotEquals(last, c);
            }
            last = c;
        }
    }

    @Test
    void aPromptLongerThanTheContextIsRefused() {
        given().contentType("application/json").body(Map.of("prompt", MEANING.repeat(80), "cache_prompt", false, "temperature", 1.0))
                .post("/completion").then().statusCode(400).body("error", notNullValue());
    }

    @Test
    void jsonPromptAndTokenPrompts() {
        post("/completion", Map.of("prompt", Map.of("prompt_string", MEANING), "n_predict", 4, "seed", 42));
        given().contentType("application/json").body(Map.of("prompt", Map.of("prompt_string", MEANING + " <__media__>", "multimodal_data", "iVBOR")))
                .post("/completion").then().statusCode(400);
        List<Integer> tokens = post("/tokenize", Map.of("content", MEANING, "add_special", true)).getList("tokens", Integer.class);
        String a = post("/completion", Map.of("prompt", tokens, "temperature", 0.0, "n_predict", 8)).getString("content");
        String b = post("/completion", Map.of("prompt", MEANING, "temperature", 0.0, "n_predict", 8)).getString("content");
        assertEquals(b, a, "token ids and the text they came from complete alike");
        List<Object> mixed = new ArrayList<>(List.of(1, 2, 3, 4, 5, 6, MEANING, 7, 8, 9, 10, MEANING));
        assertTrue(post("/completion", Map.of("prompt", mixed, "temperature", 0.0, "n_predict", 4)).get("content") instanceof String);
    }

    @Test
    void nProbs() throws Exception {
        JsonPath r = post("/completion", Map.of("prompt", MEANING, "n_probs", 10, "temperature", 0.0, "n_predict", 5));
        List<Map<String, Object>> probs = r.getList("completion_probabilities");
        assertEquals(5, probs.size());
        for (Map<String, Object> p : probs) {
            assertTrue(((Number) p.get("id")).intValue() > 0);
            assertTrue(p.get("token") instanceof String);
            assertTrue(((Number) p.get("logprob")).doubleValue() <= 0);
            assertTrue(p.get("bytes") instanceof List);
            List<Map<String, Object>> top = (List<Map<String, Object>>) p.get("top_logprobs");
            assertEquals(10, top.size());
            for (Map<String, Object> t : top) {
                assertTrue(((Number) t.get("id")).intValue() > 0);
                assertTrue(((Number) t.get("logprob")).doubleValue() <= 0);
                assertTrue(t.get("bytes") instanceof List);
            }
        }
        for (JsonNode e : stream("/completion", Map.of("prompt", MEANING, "n_probs", 10, "temperature", 0.0, "n_predict", 5, "stream", true))) {
            if (!e.get("stop").asBoolean()) {
                assertEquals(1, e.get("completion_probabilities").size());
                assertEquals(10, e.at("/completion_probabilities/0/top_logprobs").size());
            }
        }
    }

    @Test
    void nProbsPostSampling() {
        JsonPath r = post("/completion", Map.of("prompt", "Today was the day. Today I would finally become a", "n_probs", 10,
                "temperature", 1.0, "n_predict", 5, "post_sampling_probs", true, "seed", 42));
        List<Map<String, Object>> probs = r.getList("completion_probabilities");
        assertEquals(5, probs.size());
        for (int i = 0; i < probs.size(); i++) {
            double p = ((Number) probs.get(i).get("prob")).doubleValue();
            assertTrue(p > 0 && p <= 1, "prob " + p);
            List<Map<String, Object>> top = (List<Map<String, Object>>) probs.get(i).get("top_probs");
            double sum = 0;
            for (Map<String, Object> t : top) {
                double q = ((Number) t.get("prob")).doubleValue();
                assertTrue(q > 0 && q <= 1);
                sum += q;
            }
            if (i == 0) {
                assertEquals(10, top.size());
            }
            if (top.size() < 10) {
                assertEquals(1.0, sum, 1e-4);
            }
        }
    }

    @Test
    void logitBias() {
        List<String> exclude = List.of("i", "I", "the", "The", "to", "a", "an", "be", "is", "was", "but", "But", "and", "And", "so", "So", "you",
                "You", "he", "He", "she", "She", "we", "We", "they", "They", "it", "It", "his", "His", "her", "Her", "book", "Book");
        List<Integer> tokens = post("/tokenize", Map.of("content", " " + String.join(" ", exclude) + " ")).getList("tokens", Integer.class);
        for (boolean tokenize : new boolean[] {false, true}) {
            for (boolean openaiStyle : new boolean[] {false, true}) {
                List<List<Object>> pairs = new ArrayList<>();
                if (tokenize) {
                    tokens.forEach(t -> pairs.add(List.of(t, -100)));
                } else {
                    exclude.forEach(w -> pairs.add(List.of(" " + w + " ", -100)));
                }
                Object bias = pairs;
                if (openaiStyle) {
                    Map<String, Object> m = new java.util.LinkedHashMap<>();
                    pairs.forEach(p -> m.put(String.valueOf(p.get(0)), -100));
                    bias = m;
                }
                String out = post("/completion", Map.of("n_predict", 64, "prompt", "What is the best book", "logit_bias", bias,
                        "temperature", 0.0)).getString("content");
                for (String w : exclude) {
                    assertEquals(-1, out.indexOf(" " + w + " "), w + " in " + out);
                }
            }
        }
    }

    // ---- test_tokenize.py

    @Test
    void tokenize() {
        String text = "What is the capital of France ?";
        List<Integer> ids = post("/tokenize", Map.of("content", text)).getList("tokens", Integer.class);
        assertTrue(ids.size() > 5);
        assertEquals(text, post("/detokenize", Map.of("tokens", ids)).getString("content").strip());
        assertEquals(1, post("/tokenize", Map.of("content", text, "add_special", true)).getInt("tokens[0]"));
        List<Map<String, Object>> pieces = post("/tokenize", Map.of("content", "This is a test string with unicode 媽 and emoji 🤗",
                "with_pieces", true)).getList("tokens");
        for (Map<String, Object> p : pieces) {
            assertTrue(((Number) p.get("id")).intValue() > 0);
            Object piece = p.get("piece");
            assertTrue(piece instanceof String s ? !s.isEmpty() : !((List<?>) piece).isEmpty());
        }
    }

    // ---- test_chat_completion.py

    private static Map<String, Object> chatBody(Object system, Object user, int maxTokens) {
        return Map.of("max_tokens", maxTokens, "samplers", LLAMA_SERVER_CHAIN,
                "messages", List.of(Map.of("role", "system", "content", system), Map.of("role", "user", "content", user)));
    }

    @Test
    void chatCompletion() {
        record Row(Object system, Object user, int max, String re, int nPrompt) {
        }
        for (Row row : List.of(new Row("Book", "Hey", 8, "But she couldn't", 69),
                new Row("Book", "What is the best book", 8, "(Suddenly)+|\\{ \" Sarax.", 77),
                new Row("You are a coding assistant.", "Write the fibonacci function in c++.", 128, "(Aside|she|felter|alonger)+", 104),
                new Row("Book", List.of(Map.of("type", "text", "text", "What is"), Map.of("type", "text", "text", "the best book")), 8,
                        "Whillicter", 79))) {
            JsonPath r = post("/chat/completions", chatBody(row.system(), row.user(), row.max()));
            assertTrue(r.getString("id").contains("cmpl"));
            assertEquals(row.nPrompt(), r.getInt("usage.prompt_tokens"), "prompt tokens of " + row);
            assertEquals(row.max(), r.getInt("usage.completion_tokens"));
            assertEquals("assistant", r.getString("choices[0].message.role"));
            assertTrue(matches(row.re(), r.getString("choices[0].message.content")), row.re() + " in " + r.getString("choices[0].message.content"));
            assertEquals("length", r.getString("choices[0].finish_reason"));
        }
    }

    @Test
    void chatCompletionStream() throws Exception {
        List<JsonNode> events = stream("/v1/chat/completions", with(chatBody("Book", "What is the best book", 8), "stream", true));
        String id = events.getFirst().get("id").asText();
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            assertEquals(id, e.get("id").asText());
            JsonNode choice = e.at("/choices/0");
            if (i == 0) {
                assertTrue(choice.at("/delta/content").isMissingNode() || choice.at("/delta/content").isNull());
                assertEquals("assistant", choice.at("/delta/role").asText());
                continue;
            }
            assertTrue(choice.at("/delta/role").isMissingNode());
            if (choice.get("finish_reason").isNull()) {
                content.append(choice.at("/delta/content").asText());
            } else {
                assertTrue(choice.at("/delta/content").isMissingNode());
                assertEquals("length", choice.get("finish_reason").asText());
            }
        }
        assertTrue(matches("(Suddenly)+", content.toString()), content.toString());
    }

    @Test
    void applyTemplate() {
        JsonPath r = post("/apply-template", Map.of("messages", List.of(Map.of("role", "system", "content", "You are a test."),
                Map.of("role", "user", "content", "Hi there"))));
        assertEquals("<|im_start|>system\nYou are a test.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n",
                r.getString("prompt"));
    }

    @Test
    void responseFormatAndGrammar() {
        Map<String, Object> base = Map.of("max_tokens", 10, "samplers", LLAMA_SERVER_CHAIN, "messages",
                List.of(Map.of("role", "system", "content", "You are a coding assistant."), Map.of("role", "user", "content", "Write an example")));
        String json = post("/chat/completions", with(base, "response_format", Map.of("type", "json_object"))).getString("choices[0].message.content");
        assertTrue(matches("(\\{|John)+", json), json);
        assertTrue(json.startsWith("{"), json);
        for (Object bad : List.of(Map.of("type", "sound"), Map.of("type", "json_object", "schema", 123))) {
            given().contentType("application/json").body(with(base, "response_format", bad)).post("/chat/completions").then().statusCode(400)
                    .body("error", notNullValue());
        }
        Map<String, Object> g = Map.of("max_tokens", 6, "messages", List.of(Map.of("role", "user", "content", "Does not matter what I say, does it?")),
                "grammar", "root ::= \"a\"{5,5}");
        assertTrue(matches("a{5,5}", post("/chat/completions", g).getString("choices[0].message.content")));
        given().contentType("application/json").body(with(g, "grammar", "root ::= this is (not valid GBNF")).post("/chat/completions").then()
                .statusCode(400).body("error", notNullValue());
    }

    @Test
    void invalidChatRequests() {
        List<Object> bad = new ArrayList<>();
        bad.add(null);
        bad.add("string");
        bad.add(List.of(123));
        bad.add(List.of(Map.of()));
        bad.add(List.of(Map.of("role", 123)));
        bad.add(List.of(Map.of("role", "system", "content", 123)));
        bad.add(List.of(Map.of("role", "system", "content", "test"), Map.of()));
        for (Object messages : bad) {
            Map<String, Object> body = new java.util.HashMap<>();
            body.put("messages", messages);
            int status = given().contentType("application/json").body(body).post("/chat/completions").then().body("error", notNullValue())
                    .extract().statusCode();
            assertEquals(400, status, "messages " + messages);
        }
    }

    @Test
    void chatLogprobs() throws Exception {
        Map<String, Object> body = Map.of("temperature", 0.0, "max_tokens", 5, "logprobs", true, "top_logprobs", 10,
                "messages", List.of(Map.of("role", "system", "content", "Book"), Map.of("role", "user", "content", "What is the best book")));
        JsonPath r = post("/v1/chat/completions", body);
        List<Map<String, Object>> content = r.getList("choices[0].logprobs.content");
        StringBuilder joined = new StringBuilder();
        for (Map<String, Object> t : content) {
            joined.append(t.get("token"));
            assertTrue(((Number) t.get("logprob")).doubleValue() <= 0);
            assertTrue(t.get("bytes") instanceof List);
            assertEquals(10, ((List<?>) t.get("top_logprobs")).size());
        }
        assertEquals(r.getString("choices[0].message.content"), joined.toString());
        StringBuilder streamedTokens = new StringBuilder();
        StringBuilder streamedText = new StringBuilder();
        for (JsonNode e : stream("/v1/chat/completions", with(body, "stream", true))) {
            JsonNode c = e.at("/choices/0");
            if (!c.isMissingNode() && c.get("finish_reason").isNull() && c.has("logprobs") && !c.get("logprobs").isNull()) {
                c.at("/logprobs/content").forEach(t -> streamedTokens.append(t.get("token").asText()));
                streamedText.append(c.at("/delta/content").asText());
            }
        }
        assertEquals(streamedText.toString(), streamedTokens.toString());
        assertEquals(joined.toString(), streamedText.toString());
    }

    @Test
    void chatContextSizeExceeded() {
        List<Map<String, Object>> messages = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            messages.add(Map.of("role", "system", "content", "Book"));
            messages.add(Map.of("role", "user", "content", "What is the best book"));
        }
        given().contentType("application/json").body(Map.of("messages", messages, "max_tokens", 8)).post("/chat/completions").then()
                .statusCode(400).body("error.message", org.hamcrest.Matchers.containsString("context"));
    }

    @Test
    void includeUsageSendsTheUsageLast() throws Exception {
        List<JsonNode> events = stream("/v1/chat/completions", Map.of("max_tokens", 10, "stream", true,
                "stream_options", Map.of("include_usage", true), "messages", List.of(Map.of("role", "user", "content", "test"))));
        JsonNode last = events.getLast();
        assertEquals(0, last.get("choices").size());
        assertTrue(last.at("/usage/completion_tokens").asInt() <= 10);
        assertTrue(last.at("/timings/predicted_per_second").isNumber());
        given().get("/health").then().statusCode(200).body("status", equalTo("ok"));
    }
}
