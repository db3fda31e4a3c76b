package io.gptlens.web.reliability;

import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fuzz campaign: hostile files derived from stories260K and from a writer-made model (GPT-2's
 * vocabulary of 50,257 tokens) are each loaded over HTTP and, when accepted, used for a completion,
 * {@code /tokenize} and two explorer queries, then unloaded; after each file the server must
 * answer {@code /health}. Every answer must be JSON with a status; none may be a 5xx other than
 * the explorer's 503 while its index is built.
 *
 * <p>{@code ./mvnw verify} runs an even sample of about 70 files; the full campaign is
 * {@code ./mvnw -pl web-ui verify -Dtest=ModelFuzzTest -Dgptlens.fuzz.files=1000} (see docs/reliability.md).
 */
@QuarkusTest
class ModelFuzzTest {

    private static final String ADMIN = "Bearer test-secret";

    @Inject
    ModelRegistry registry;

    @Test
    void noHostileFileTakesTheServerDown() throws Exception {
        int total = Integer.getInteger("gptlens.fuzz.files", 0);
        Path dir = Files.createDirectories(Path.of("target", "fuzz").toAbsolutePath());
        Path stories = Path.of(System.getProperty("gptlens.shared.dir", "../../shared"), "models", "stories260K.gguf").toAbsolutePath().normalize();
        Path written = dir.resolve("base-gpt2-vocab.gguf");
        Path vocab = Path.of(System.getProperty("gptlens.llama.source"), "models", "ggml-vocab-gpt-2.gguf");
        io.gptlens.llamacpp.TestFiles.randomLlama(vocab, written, 32, 64, 4, 2, 11);

        List<HostileModels.Case> cases = new ArrayList<>();
        for (Path base : List.of(stories, written)) {
            List<HostileModels.Case> all = new HostileModels(base).cases(total / 2, base.hashCode());
            if (total > 0) {
                cases.addAll(all);
            } else { // an even sample, always with the two files that used to end the server
                int step = Math.max(1, all.size() / 33);
                for (int i = 0; i < all.size(); i++) {
                    String l = all.get(i).label();
                    if (i % step == 0 || l.startsWith("llama.attention.layer_norm_rms_epsilon = NaN") || l.contains("labelled type 28")) {
                        cases.add(all.get(i));
                    }
                }
            }
        }

        Map<String, Integer> outcomes = new TreeMap<>();
        Map<Integer, Integer> followUps = new TreeMap<>();
        List<String> serverErrors = new ArrayList<>();
        int refused = 0;
        int served = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < cases.size(); i++) {
            HostileModels.Case c = cases.get(i);
            String id = "fuzz-%04d".formatted(i);
            Path file = dir.resolve(id + ".gguf");
            c.writer().write(file);
            Response load = given().header("Authorization", ADMIN).contentType(ContentType.JSON)
                    .body(Map.of("path", file.toString())).post("/api/models");
            int status = load.statusCode();
            assertJsonError(c, "load", load);
            if (status == 201) {
                served++;
                outcomes.merge("served", 1, Integer::sum);
                for (Response r : followUps(id)) {
                    followUps.merge(r.statusCode(), 1, Integer::sum);
                    assertJsonError(c, "follow-up", r);
                    // 503 is the explorer saying its index is being built (answer later), not a fault
                    if (r.statusCode() >= 500 && r.statusCode() != 503) {
                        serverErrors.add(c.label() + ": " + r.statusCode() + " " + r.asString());
                    }
                }
                assertEquals(204, given().header("Authorization", ADMIN).delete("/api/models/" + id).statusCode(), c.label());
            } else if (status >= 400 && status < 500) {
                refused++;
                outcomes.merge("refused " + status, 1, Integer::sum);
                if (refused <= 12 || total > 0) {
                    System.out.println("fuzz refused: " + c.label() + " -> " + load.jsonPath().getString("error.message"));
                }
            } else {
                serverErrors.add(c.label() + ": load answered " + status + " " + load.asString());
            }
            assertEquals(200, given().get("/health").statusCode(), "the server must be alive after " + c.label());
            Files.deleteIfExists(file);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("fuzz campaign: %d files (%s), refused %d, served %d, follow-up answers %s, 5xx %d, crashes 0, %.0f s%n",
                cases.size(), total > 0 ? "full" : "sample", refused, served, followUps, serverErrors.size(), seconds);
        System.out.println("fuzz outcomes: " + outcomes);
        serverErrors.forEach(e -> System.out.println("fuzz 5xx: " + e));
        assertEquals(cases.size(), refused + served);
        assertTrue(serverErrors.isEmpty(), serverErrors.size() + " answers were server errors, first: " + serverErrors.stream().findFirst().orElse(""));
        assertTrue(registry.get("fuzz-0000").isEmpty());
    }

    /** The two files that used to end the server at the first completion are refused with a 422 that says why; the server goes on. */
    @Test
    void aNanEpsilonAndF64WeightsAreRefusedAndTheServerGoesOn() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "fuzz").toAbsolutePath());
        Path stories = Path.of(System.getProperty("gptlens.shared.dir", "../../shared"), "models", "stories260K.gguf").toAbsolutePath().normalize();
        HostileModels base = new HostileModels(stories);
        Path nan = dir.resolve("nan-epsilon.gguf");
        base.writeWithValue(nan, "llama.attention.layer_norm_rms_epsilon",
                new io.gptlens.core.gguf.GgufValue.Float(io.gptlens.core.gguf.GgufValueType.FLOAT32, Double.NaN));
        Path f64 = dir.resolve("f64-weights.gguf");
        io.gptlens.llamacpp.TestFiles.withF64Weights(stories, f64);
        Map<Path, String> expected = Map.of(nan, "llama.attention.layer_norm_rms_epsilon = NaN must be a number",
                f64, "have type F64, which llama.cpp cannot compute with");
        for (var e : expected.entrySet()) {
            Response r = given().header("Authorization", ADMIN).contentType(ContentType.JSON)
                    .body(Map.of("path", e.getKey().toString())).post("/api/models");
            assertEquals(422, r.statusCode(), r.asString());
            String message = r.jsonPath().getString("error.message");
            assertTrue(message.startsWith("Refusing " + e.getKey()) && message.contains(e.getValue()), message);
        }
        // and the server serves the next completion
        Response ok = given().contentType(ContentType.JSON).body(Map.of("prompt", "Once upon a time", "max_tokens", 4)).post("/v1/completions");
        assertEquals(200, ok.statusCode(), ok.asString());
        assertEquals(200, given().get("/health").statusCode());
    }

    private static List<Response> followUps(String id) {
        List<Response> out = new ArrayList<>();
        out.add(given().contentType(ContentType.JSON).body(Map.of("model", id, "prompt", "Once upon a time", "max_tokens", 4, "logprobs", 2))
                .post("/v1/completions"));
        out.add(given().contentType(ContentType.JSON).body(Map.of("model", id, "content", "Hello <b>world</b> 世界 🙂", "with_pieces", true))
                .post("/tokenize"));
        out.add(given().queryParam("token", 1).queryParam("k", 5).get("/api/explorer/" + id + "/neighbors"));
        out.add(given().queryParam("q", "a").get("/api/explorer/" + id + "/search"));
        return out;
    }

    /** Every error is JSON; a success is JSON too (all four follow-ups and the load answer with JSON). */
    private static void assertJsonError(HostileModels.Case c, String what, Response r) {
        String type = r.contentType();
        assertTrue(type != null && type.startsWith("application/json"), c.label() + ": " + what + " answered " + r.statusCode() + " as " + type);
    }
}
