package io.gptlens.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufValue;
import io.gptlens.core.gguf.GgufWriter;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real clients, unchanged, against a running GPTLens: the official OpenAI SDK (npm {@code openai},
 * driven by {@code src/test/node/openai-client.mjs}) and LangChain4j's OpenAI module. The chat
 * model is a writer-made one that carries a real chat template: stories260K's weights with
 * Qwen2.5's template from llama.cpp's collection in its metadata, so its prompts are checked
 * against Jinja2's rendering of that template; embeddings come from the built-in all-MiniLM-L6-v2. Every answer is compared with the same request
 * sent as plain HTTP.
 */
@QuarkusTest
@io.quarkus.test.junit.TestProfile(io.gptlens.web.explorer.WithMiniLm.class)
class RealClientsTest {

    static final String TEMPLATE = "Qwen-Qwen2.5-7B-Instruct.jinja";
    static final String MODEL = "stories260K-qwen-template";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ModelRegistry registry;

    private static Path written;

    /** Other tests of this profile expect only the configured models. */
    @org.junit.jupiter.api.AfterEach
    void unload() {
        registry.unload(MODEL);
    }

    @BeforeEach
    void templatedModel() throws Exception {
        if (written != null) {
            registry.load(written);
            return;
        }
        Path template = Path.of(System.getProperty("gptlens.llama.source"), "models", "templates", TEMPLATE);
        Path out = Files.createTempDirectory("templated").resolve(MODEL + ".gguf");
        GgufWriter w = new GgufWriter();
        try (GgufFile f = GgufFile.open(io.gptlens.llamacpp.TestFiles.stories())) {
            f.metadata().forEach(w::put);
            w.put("tokenizer.chat_template", new GgufValue.Str(Files.readString(template)));
            for (var t : f.tensors().values()) {
                w.addTensor(t.name(), t.type(), f.tensorData(t).toArray(ValueLayout.JAVA_BYTE), t.shape());
            }
        }
        w.write(out);
        written = out;
        registry.load(out);
    }

    private static JsonPath post(String path, Object body) {
        return given().contentType("application/json").body(body).post(path).then().statusCode(200).extract().jsonPath();
    }

    private static final List<Map<String, String>> MESSAGES = List.of(Map.of("role", "system", "content", "Book"),
            Map.of("role", "user", "content", "What is the best book"));

    @Test
    void theModelsOwnTemplateRendersAsJinja2RendersIt() throws Exception {
        JsonNode expected = JSON.readTree(RealClientsTest.class.getResourceAsStream("/chat-templates/jinja2-expected.json"));
        for (String conversation : List.of("a_system_user", "b_multi_turn", "d_special_chars")) {
            JsonNode c = expected.at("/conversations/" + conversation);
            Map<String, Object> body = Map.of("model", MODEL, "messages", JSON.convertValue(c.get("messages"), List.class),
                    "add_generation_prompt", c.get("add_generation_prompt").asBoolean());
            assertEquals(expected.at("/" + TEMPLATE + "/" + conversation).asText(), post("/apply-template", body).getString("prompt"), conversation);
        }
    }

    @Test
    void theOfficialOpenAiSdkListsCompletesChatsAndEmbeds() throws Exception {
        Path dir = Path.of("target", "node-client").toAbsolutePath();
        Files.createDirectories(dir);
        if (!Files.isDirectory(dir.resolve("node_modules/openai"))) {
            run(dir, List.of("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", dir.toString(), "openai@6.9.1"));
        }
        Files.copy(Path.of("src/test/node/openai-client.mjs"), dir.resolve("openai-client.mjs"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String outText = run(dir, List.of("node", dir.resolve("openai-client.mjs").toString(), "http://localhost:" + RestAssured.port + "/v1",
                MODEL, "all-minilm-l6-v2"));
        JsonNode out = JSON.readTree(outText.lines().reduce((a, b) -> b).orElseThrow());

        assertTrue(out.get("models").toString().contains(MODEL));
        JsonPath plain = post("/v1/completions", Map.of("model", MODEL, "prompt", "Once upon a time", "max_tokens", 8, "temperature", 0));
        assertEquals(plain.getString("choices[0].text"), out.at("/completion/text").asText());
        assertEquals("length", out.at("/completion/finish_reason").asText());
        assertEquals(8, out.at("/completion/usage/completion_tokens").asInt());
        assertEquals(plain.getString("choices[0].text"), out.get("completionStream").asText());
        assertEquals(4, out.at("/completionLogprobs/tokens").size());
        assertEquals(2, out.at("/completionLogprobs/top_logprobs/0").size());

        JsonPath chat = post("/v1/chat/completions", Map.of("model", MODEL, "messages", MESSAGES, "max_tokens", 8, "temperature", 0));
        assertEquals(chat.getString("choices[0].message.content"), out.at("/chat/content").asText());
        assertEquals("assistant", out.at("/chat/role").asText());
        assertEquals(chat.getInt("usage.prompt_tokens"), out.at("/chat/usage/prompt_tokens").asInt());
        StringBuilder joined = new StringBuilder();
        for (JsonNode t : out.at("/chat/logprobs")) {
            joined.append(t.get("token").asText());
            assertTrue(t.get("logprob").asDouble() <= 0);
            assertEquals(3, t.get("top").asInt());
        }
        assertEquals(out.at("/chat/content").asText(), joined.toString());
        assertEquals(out.at("/chat/content").asText(), out.at("/chatStream/content").asText());
        assertEquals(out.at("/chat/content").asText(), out.at("/chatStream/tokens").asText());
        assertEquals(8, out.at("/chatStream/usage/completion_tokens").asInt());
        assertEquals(384, out.at("/embedding/length").asInt());
        JsonPath emb = post("/v1/embeddings", Map.of("model", "all-minilm-l6-v2", "input", "a happy dog"));
        assertEquals(emb.getDouble("data[0].embedding[0]"), out.at("/embedding/first/0").asDouble(), 1e-6);
    }

    @Test
    void langChain4jChatsAndStreams() throws Exception {
        String base = "http://localhost:" + RestAssured.port + "/v1";
        JdkHttpClientBuilder http = new JdkHttpClientBuilder().httpClientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1));
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(base).apiKey("not-needed").modelName(MODEL).temperature(0.0).maxTokens(12)
                .httpClientBuilder(http).build();
        String answer = model.chat("What is the best book");
        JsonPath direct = post("/v1/chat/completions", Map.of("model", MODEL, "max_tokens", 12, "temperature", 0,
                "messages", List.of(Map.of("role", "user", "content", "What is the best book"))));
        assertEquals(direct.getString("choices[0].message.content"), answer);

        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(base).apiKey("not-needed").modelName(MODEL)
                .temperature(0.0).maxTokens(12).httpClientBuilder(http).build();
        StringBuilder parts = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat("What is the best book", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                parts.append(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(60, TimeUnit.SECONDS);
        assertEquals(answer, parts.toString());
        assertEquals(answer, response.aiMessage().text());
        assertEquals(12, response.tokenUsage().outputTokenCount());
    }

    private static String run(Path dir, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }
}
