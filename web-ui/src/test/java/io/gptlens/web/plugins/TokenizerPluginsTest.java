package io.gptlens.web.plugins;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokenizer plugins in use: chosen by name in /tokenize, /detokenize and /v1/completions, offered
 * only for models whose vocabulary they read, and kept inside when they fail.
 */
@QuarkusTest
class TokenizerPluginsTest {

    @Inject
    PluginManager plugins;

    private static Path gpt2Vocab() {
        Path p = Path.of(System.getProperty("gptlens.llama.source", ""), "models", "ggml-vocab-gpt-2.gguf");
        assertTrue(Files.exists(p), "llama.cpp's vocabularies (fetched by runtime-native's build) at " + p);
        return p;
    }

    private static List<Integer> tokens(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post("/tokenize").then().statusCode(200)
                .extract().jsonPath().getList("tokens", Integer.class);
    }

    @Test
    void theGpt2PluginCutsAGpt2VocabularyOverHttpAsLlamaCppDoes() throws Exception {
        Path v = gpt2Vocab();
        given().header("Authorization", "Bearer test-secret").contentType(ContentType.JSON).body(Map.of("path", v.toString())).post("/api/models").then().statusCode(201);
        try {
            given().get("/api/tokenizers?model=ggml-vocab-gpt-2").then().statusCode(200)
                    .body("[0].name", equalTo("model"))
                    .body("find { it.name == 'gpt2-bpe' }.supported", equalTo(true));
            given().get("/api/tokenizers?model=stories260K").then().statusCode(200)
                    .body("find { it.name == 'gpt2-bpe' }.supported", equalTo(false))
                    .body("find { it.name == 'gpt2-bpe' }.reason", containsString("tokenizer.ggml.model = llama"));

            String raw = Files.readString(Path.of(v + ".inp"), StandardCharsets.UTF_8);
            List<String> outs = Files.readAllLines(Path.of(v + ".out"), StandardCharsets.UTF_8);
            List<String> ins = new ArrayList<>(Arrays.asList(raw.split("\n__ggml_vocab_test__\n", -1)));
            if (ins.size() == outs.size() + 1 && ins.getLast().isEmpty()) {
                ins.removeLast();
            }
            assertEquals(ins.size(), outs.size());
            int same = 0;
            for (int i = 0; i < ins.size(); i++) {
                String o = outs.get(i).strip();
                List<Integer> expected = o.isEmpty() ? List.of() : Arrays.stream(o.split(" ")).map(Integer::valueOf).toList();
                Map<String, Object> req = Map.of("content", ins.get(i), "model", "ggml-vocab-gpt-2", "parse_special", false);
                List<Integer> byModel = tokens(req);
                Map<String, Object> viaPlugin = new java.util.HashMap<>(req);
                viaPlugin.put("tokenizer", "gpt2-bpe");
                List<Integer> byPlugin = tokens(viaPlugin);
                assertEquals(expected, byModel, "llama.cpp on '" + ins.get(i) + "'");
                assertEquals(expected, byPlugin, "gpt2-bpe on '" + ins.get(i) + "'");
                if (!byPlugin.isEmpty()) {
                    given().contentType(ContentType.JSON).body(Map.of("tokens", byPlugin, "model", "ggml-vocab-gpt-2", "tokenizer", "gpt2-bpe"))
                            .post("/detokenize").then().statusCode(200).body("content", equalTo(ins.get(i)));
                }
                same++;
            }
            assertEquals(46, same, "every gpt-2 test vector of llama.cpp");
        } finally {
            given().header("Authorization", "Bearer test-secret").delete("/api/models/ggml-vocab-gpt-2").then().statusCode(204);
        }
    }

    @Test
    void aCompletionCutsItsPromptWithTheTokenizerItNames() {
        String known = io.gptlens.web.api.ApiTest.KNOWN;
        String text = given().contentType(ContentType.JSON).body(Map.of("prompt", "Once upon a time", "max_tokens", 12, "temperature", 0,
                "tokenizer", "llama.cpp")).post("/v1/completions").then().statusCode(200).extract().path("choices[0].text");
        assertEquals(known.substring(0, text.length()), text);
        assertTrue(text.length() > 20, text);
        given().contentType(ContentType.JSON).body(Map.of("prompt", "Once", "tokenizer", "gpt2-bpe")).post("/v1/completions").then()
                .statusCode(400).body("error.message", containsString("cannot read model 'stories260K' (tokenizer.ggml.model = llama"));
        given().contentType(ContentType.JSON).body(Map.of("content", "Once", "tokenizer", "nope")).post("/tokenize").then()
                .statusCode(400).body("error.message", containsString("Unknown tokenizer 'nope'; known: model, "))
                .body("error.message", containsString("gpt2-bpe"));
    }

    /** llama.cpp's tokenizer under another name, except that "boom" throws and "huge" answers an impossible id. */
    static final String FAULTY = PluginsTest.tokenizerPlugin("Faulty", "faulty-tok",
            "if (s.contains(\"boom\")) throw new IllegalStateException(\"boom\"); if (s.contains(\"huge\")) return new int[]{1 << 30}; "
                    + "return t.encode(s, a, p);");

    @Test
    void aFaultyTokenizerPluginGivesAClearErrorAndTheNextRequestWorks() throws Exception {
        Path jar = PluginsTest.buildJar(Files.createTempDirectory("plugin-build"), "faulty-tok.jar", "Faulty", FAULTY,
                "io.gptlens.core.tokenizer.TokenizerProvider");
        try (var dropped = PluginsTest.dropIn(plugins, jar)) {
            given().get("/api/plugins").then().body("find { it.name == 'faulty-tok' }.kind", equalTo("tokenizer"))
                    .body("find { it.name == 'faulty-tok' }.status", equalTo("active"));
            given().contentType(ContentType.JSON).body(Map.of("content", "boom", "tokenizer", "faulty-tok")).post("/tokenize").then()
                    .statusCode(500).body("error.message", containsString("Tokenizer 'faulty-tok' (plugin faulty-tok.jar) threw"))
                    .body("error.message", containsString("boom"));
            given().get("/api/plugins").then().body("find { it.name == 'faulty-tok' }.status", equalTo("failed"));
            given().contentType(ContentType.JSON).body(Map.of("content", "huge", "tokenizer", "faulty-tok")).post("/tokenize").then()
                    .statusCode(500).body("error.message", containsString("outside its vocabulary of 512"));
            given().contentType(ContentType.JSON).body(Map.of("prompt", "boom", "tokenizer", "faulty-tok")).post("/v1/completions").then()
                    .statusCode(500).body("error.message", containsString("Tokenizer 'faulty-tok'"));
            // the next request with the same plugin works, and cuts as llama.cpp does
            assertEquals(tokens(Map.of("content", "Once upon a time")), tokens(Map.of("content", "Once upon a time", "tokenizer", "faulty-tok")));
        }
        given().contentType(ContentType.JSON).body(Map.of("content", "x", "tokenizer", "faulty-tok")).post("/tokenize").then().statusCode(400);
    }
}
