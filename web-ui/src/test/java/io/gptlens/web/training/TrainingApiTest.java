package io.gptlens.web.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Pre-training over real HTTP: the built-in GPT of a fresh start is listed and streams a
 * completion within 60 s; runs start, list, report curves and checkpoints, cancel and resume; bad
 * requests get clear errors; a finished built-in model is loaded at the next start without training.
 */
@QuarkusTest
@TestProfile(WithBuiltinGpt.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainingApiTest {

    @TestHTTPResource("/")
    URL root;

    @Inject
    TrainingService training;

    @Inject
    ModelRegistry registry;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    /** The test profile's admin token, which starting, cancelling and resuming runs and uploading corpora need. */
    static final String ADMIN = "Bearer test-secret";

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(method, path, body, ADMIN);
    }

    private HttpResponse<String> send(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(root.toString().replaceAll("/$", "") + path))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, null);
        assertEquals(200, r.statusCode(), r.body());
        return json.readTree(r.body());
    }

    private JsonNode await(int seconds, String path, Predicate<JsonNode> until) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        JsonNode last = null;
        while (System.nanoTime() < end) {
            last = get(path);
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(250);
        }
        fail("Timed out after " + seconds + " s waiting on " + path + "; last: " + last);
        return null;
    }

    private static String generative(JsonNode models) {
        for (JsonNode m : models.get("data")) {
            if (m.get("id").asText().startsWith("gpt-sotu-")) {
                return m.get("id").asText();
            }
        }
        return null;
    }

    @Test
    @Order(1)
    void aFreshStartListsAGenerativeModelWithin60SecondsAndItStreams() throws Exception {
        long t0 = System.nanoTime();
        JsonNode runs = await(60, "/api/training", r -> r.size() >= 1);
        JsonNode builtin = runs.get(0);
        assertTrue(builtin.get("builtin").asBoolean(), builtin.toString());
        JsonNode models = await(60, "/v1/models", m -> generative(m) != null);
        String id = generative(models);
        assertEquals(training.builtinRecipe().modelName(BuiltinCorpus.NAME), id);
        assertTrue((System.nanoTime() - t0) / 1e9 < 60);

        HttpResponse<String> r = send("POST", "/v1/completions",
                "{\"model\": \"" + id + "\", \"prompt\": \"The state of the\", \"max_tokens\": 8, \"stream\": true, \"temperature\": 0}");
        assertEquals(200, r.statusCode(), r.body());
        long chunks = r.body().lines().filter(l -> l.startsWith("data: {")).count();
        assertTrue(chunks >= 1, r.body());
        assertTrue(r.body().contains("data: [DONE]"), r.body());
    }

    @Test
    @Order(2)
    void theBuiltinRunFinishesAndTheNextStartLoadsItWithoutTraining() throws Exception {
        String builtinId = get("/api/training").get(0).get("id").asText();
        JsonNode done = await(180, "/api/training/" + builtinId, s -> !"running".equals(s.get("state").asText()));
        assertEquals("done", done.get("state").asText(), done.toString());
        assertTrue(Files.isRegularFile(training.builtinModelFile()), training.builtinModelFile().toString());
        if (done.get("checkpoints").size() > 0) { // trained in this run (not loaded from an earlier one)
            assertTrue(done.get("losses").size() > 0);
            assertTrue(done.get("validations").size() > 0);
            assertNotNull(done.get("baselines").get("unigram"));
        }
        // the next start: the finished file is loaded at once, no training
        String name = ModelRegistry.idOf(training.builtinModelFile());
        registry.unload(name);
        int before = training.list().size();
        training.provideBuiltin();
        assertTrue(registry.get(name).isPresent(), "loaded again");
        assertEquals(training.builtinModelFile().toAbsolutePath().normalize(), registry.get(name).get().path());
        TrainingStatus again = training.list().get(before);
        assertEquals(TrainingState.DONE, again.state());
        assertTrue(again.phase().startsWith("trained earlier"), again.phase());
        assertEquals(0, again.step(), "no step was trained");
    }

    @Test
    @Order(3)
    void aRunStartsReportsCurvesAndCheckpointsCancelsAndResumes() throws Exception {
        await(180, "/api/training", r -> {
            for (JsonNode s : r) {
                if ("running".equals(s.get("state").asText())) {
                    return false;
                }
            }
            return true;
        });
        HttpResponse<String> r = send("POST", "/api/training", "{\"preset\": \"tiny\", \"steps\": 60, \"seed\": 7}");
        assertEquals(201, r.statusCode(), r.body());
        String id = json.readTree(r.body()).get("id").asText();
        HttpResponse<String> busy = send("POST", "/api/training", "{\"preset\": \"tiny\", \"steps\": 60}");
        assertEquals(409, busy.statusCode(), busy.body());
        assertTrue(busy.body().contains("one run trains at a time"), busy.body());
        JsonNode done = await(180, "/api/training/" + id, s -> "done".equals(s.get("state").asText())
                && s.get("checkpoints").size() > 0 && !s.get("checkpoints").get(s.get("checkpoints").size() - 1).get("sample").isNull());
        assertEquals(60, done.get("step").asLong());
        assertEquals(60, done.get("losses").size());
        JsonNode last = done.get("checkpoints").get(done.get("checkpoints").size() - 1);
        assertTrue(last.get("sample").asText().startsWith("The state of the Union is"), last.toString());
        assertTrue(done.get("validations").get(done.get("validations").size() - 1).get("full").asBoolean());
        assertTrue(done.get("bitsPerByte").asDouble() > 0);
        assertTrue(registry.get(done.get("name").asText()).isPresent(), "the finished run's model is loaded");

        // cancel a long run and resume it
        r = send("POST", "/api/training", "{\"preset\": \"tiny\", \"steps\": 100000}");
        assertEquals(201, r.statusCode(), r.body());
        String longId = json.readTree(r.body()).get("id").asText();
        await(60, "/api/training/" + longId, s -> s.get("step").asLong() >= 20);
        assertEquals(200, send("DELETE", "/api/training/" + longId, null).statusCode());
        JsonNode cancelled = await(60, "/api/training/" + longId, s -> "cancelled".equals(s.get("state").asText()));
        long at = cancelled.get("step").asLong();
        assertTrue(cancelled.get("checkpoints").size() > 0, "a cancelled run writes a checkpoint to resume from");
        HttpResponse<String> res = send("POST", "/api/training/" + longId + "/resume", null);
        assertEquals(200, res.statusCode(), res.body());
        await(60, "/api/training/" + longId, s -> s.get("step").asLong() > at + 10);
        send("DELETE", "/api/training/" + longId, null);
        await(60, "/api/training/" + longId, s -> "cancelled".equals(s.get("state").asText()));
    }

    @Test
    @Order(4)
    void badRequestsGetClearErrors() throws Exception {
        HttpResponse<String> refused = send("POST", "/api/training", "{\"preset\": \"tiny\", \"steps\": 5}", null);
        assertEquals(401, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("Starting a training run needs the admin token"), refused.body());
        assertEquals(401, send("POST", "/api/training/nope/resume", null, null).statusCode());
        assertEquals(401, send("DELETE", "/api/training/nope", null, "Bearer wrong").statusCode());
        HttpResponse<String> r = send("POST", "/api/training", "{\"preset\": \"huge\"}");
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("No training preset 'huge'"), r.body());
        r = send("POST", "/api/training", "{\"preset\": \"tiny\", \"steps\": 0}");
        assertEquals(400, r.statusCode(), r.body());
        r = send("POST", "/api/training", "{\"corpus\": \"../../etc/passwd\"}");
        assertEquals(400, r.statusCode(), r.body());
        r = send("POST", "/api/training", "{\"corpus\": \"0123456789abcdef0123456789abcdef\"}");
        assertEquals(404, r.statusCode(), r.body());
        r = send("GET", "/api/training/nope", null);
        assertEquals(404, r.statusCode(), r.body());
        HttpRequest bad = HttpRequest.newBuilder(URI.create(root.toString().replaceAll("/$", "") + "/api/training/corpora"))
                .header("Content-Type", "application/octet-stream").header("Authorization", ADMIN).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xC3, 0x28, 'a'})).build();
        HttpResponse<String> notUtf8 = http.send(bad, HttpResponse.BodyHandlers.ofString());
        assertEquals(400, notUtf8.statusCode(), notUtf8.body());
        assertTrue(notUtf8.body().contains("not UTF-8"), notUtf8.body());
        HttpRequest ok = HttpRequest.newBuilder(URI.create(root.toString().replaceAll("/$", "") + "/api/training/corpora?name=mine.txt"))
                .header("Content-Type", "text/plain").header("Authorization", ADMIN).POST(HttpRequest.BodyPublishers.ofString("Some text of my own.\n".repeat(50))).build();
        HttpResponse<String> up = http.send(ok, HttpResponse.BodyHandlers.ofString());
        assertEquals(201, up.statusCode(), up.body());
        assertFalse(json.readTree(up.body()).get("id").asText().isBlank());
    }
}
