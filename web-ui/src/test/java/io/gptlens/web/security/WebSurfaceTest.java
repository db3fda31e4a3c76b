package io.gptlens.web.security;

import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web surface of a server on the loopback address with an admin token (the test profile's
 * {@code test-secret}) and no API key, over real HTTP: the Host check, JSON 404 and 405 on the API,
 * no CORS, and the admin token on every action that changes the server.
 */
@QuarkusTest
class WebSurfaceTest {

    static final String ADMIN = "Bearer test-secret";

    @Inject
    ModelRegistry registry;

    @Test
    void aRequestNamingAnotherHostIsRefusedEverywhere() {
        given().header("Host", "evil.example:" + RestAssured.port).get("/v1/models").then().statusCode(403)
                .contentType(ContentType.JSON).body("error.code", equalTo(403)).body("error.type", equalTo("invalid_request_error"))
                .body("error.message", containsString("'evil.example'"))
                .body("error.message", containsString("-Dgptlens.allowed-hosts=evil.example"));
        for (String uiOrStatic : List.of("/", "/models", "/gptlens.css", "/VAADIN/whatever.js")) {
            given().header("Host", "evil.example").get(uiOrStatic).then().statusCode(403).contentType(startsWith("text/plain"))
                    .body(containsString("DNS rebinding")).body(containsString("--allowed-host evil.example"));
        }
        given().header("Host", "Evil.Example.").get("/health").then().statusCode(403);
        // the names this server is known by, any port
        for (String host : List.of("localhost:" + RestAssured.port, "LOCALHOST", "127.0.0.1:1", "[::1]:8686", "192.168.1.20:8686", "[fe80::1]")) {
            given().header("Host", host).get("/v1/models").then().statusCode(200).body("object", equalTo("list"));
        }
        given().header("Host", "localhost").get("/gptlens.css").then().statusCode(200);
    }

    @Test
    void aRequestWithoutAHostIsServed() throws Exception {
        try (Socket s = new Socket("localhost", RestAssured.port)) {
            OutputStream out = s.getOutputStream();
            out.write("GET /health HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.0 200"), response);
            assertTrue(response.contains("\"status\":\"ok\""), response);
        }
    }

    @Test
    void unknownApiPathsAndWrongMethodsAnswerJson() {
        for (String path : List.of("/v1/nope", "/api/nope/deeper", "/api", "/v1/models/x/y")) {
            given().get(path).then().statusCode(404).contentType(ContentType.JSON).body("error.code", equalTo(404))
                    .body("error.type", equalTo("not_found_error")).body("error.message", containsString("No API endpoint GET " + path));
        }
        given().contentType(ContentType.JSON).body("{}").post("/v1/chat/nope").then().statusCode(404).contentType(ContentType.JSON);
        given().get("/v1/completions").then().statusCode(405).contentType(ContentType.JSON).body("error.code", equalTo(405))
                .body("error.message", equalTo("GET is not allowed on /v1/completions"));
        given().delete("/api/samplers").then().statusCode(405).contentType(ContentType.JSON);
        // the UI keeps its own pages
        given().get("/models").then().statusCode(200).contentType(startsWith("text/html"));
    }

    @Test
    void crossOriginRequestsGetNoCorsHeaders() {
        given().header("Origin", "http://evil.example").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type").options("/v1/completions")
                .then().header("Access-Control-Allow-Origin", nullValue()).header("Access-Control-Allow-Methods", nullValue());
        given().header("Origin", "http://evil.example").get("/v1/models").then().statusCode(200)
                .header("Access-Control-Allow-Origin", nullValue());
    }

    /** Every action that changes the server, as method, path and JSON body. */
    static final List<List<String>> ADMIN_ACTIONS = List.of(
            List.of("POST", "/api/models", "{\"path\": \"/nonexistent/x.gguf\"}"),
            List.of("DELETE", "/api/models/nope", ""),
            List.of("POST", "/api/plugins/top-p/disable", ""),
            List.of("POST", "/api/plugins/top-p/enable", ""),
            List.of("PUT", "/api/plugins/top-k/config", "{\"k\": 3}"),
            List.of("DELETE", "/api/plugins/top-k/config", ""),
            List.of("POST", "/api/training", "{\"preset\": \"huge\"}"),
            List.of("DELETE", "/api/training/nope", ""),
            List.of("POST", "/api/training/nope/resume", ""));

    @Test
    void actionsThatChangeTheServerNeedTheAdminToken() {
        for (List<String> a : ADMIN_ACTIONS) {
            var missing = given().contentType(ContentType.JSON);
            if (!a.get(2).isEmpty()) {
                missing.body(a.get(2));
            }
            missing.request(a.get(0), a.get(1)).then().statusCode(401).contentType(ContentType.JSON).header("WWW-Authenticate", "Bearer")
                    .body("error.code", equalTo(401)).body("error.message", containsString("needs the admin token"))
                    .body("error.message", containsString("Authorization: Bearer <admin token>"));
            var wrong = given().contentType(ContentType.JSON).header("Authorization", "Bearer not-it");
            if (!a.get(2).isEmpty()) {
                wrong.body(a.get(2));
            }
            wrong.request(a.get(0), a.get(1)).then().statusCode(401).body("error.message", containsString("is wrong"));
            // with the token the request is served: each of these answers 4xx for its own reason, not 401
            var served = given().contentType(ContentType.JSON).header("Authorization", ADMIN);
            if (!a.get(2).isEmpty()) {
                served.body(a.get(2));
            }
            int status = served.request(a.get(0), a.get(1)).then().extract().statusCode();
            assertTrue(status != 401 && status != 403, a + " with the token answered " + status);
        }
        given().contentType("text/plain").body("Some text.\n").post("/api/training/corpora?name=x.txt").then().statusCode(401);
        // reading needs nothing
        given().get("/api/models").then().statusCode(200);
        given().get("/api/plugins/top-k/config").then().statusCode(200);
        given().get("/api/training").then().statusCode(200);
    }

    @Test
    void aModelLoadsAndUnloadsWithTheAdminToken() throws Exception {
        Path copy = Files.createTempDirectory("gptlens-admin").resolve("admin-copy.gguf");
        Files.copy(registry.resolve("stories260K").path(), copy);
        given().contentType(ContentType.JSON).body(Map.of("path", copy.toString())).post("/api/models").then().statusCode(401);
        assertTrue(registry.get("admin-copy").isEmpty());
        given().header("Authorization", ADMIN).contentType(ContentType.JSON).body(Map.of("path", copy.toString())).post("/api/models")
                .then().statusCode(201).body("id", equalTo("admin-copy"));
        try {
            given().delete("/api/models/admin-copy").then().statusCode(401);
            assertTrue(registry.get("admin-copy").isPresent());
        } finally {
            given().header("Authorization", ADMIN).delete("/api/models/admin-copy").then().statusCode(204);
        }
        // completions need no token
        given().contentType(ContentType.JSON).body(Map.of("prompt", "Once", "max_tokens", 2)).post("/v1/completions").then().statusCode(200);
    }
}
