package io.gptlens.web.security;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** A server with {@code gptlens.api-key} and {@code gptlens.allowed-hosts}, over real HTTP. */
@QuarkusTest
@TestProfile(WithApiKey.class)
class ApiKeyTest {

    static final String KEY = "Bearer " + WithApiKey.KEY;

    @Test
    void everyApiRequestNeedsTheKey() {
        for (String path : List.of("/v1/models", "/props", "/api/models", "/api/samplers", "/api/nope", "/v1;x/models", "/v1%3Bx/models",
                "/%76%31/models", "//v1/models", "/V1/models", "/x/../v1/models")) {
            given().urlEncodingEnabled(false).get(path).then().log().ifValidationFails().statusCode(401).contentType(ContentType.JSON).header("WWW-Authenticate", "Bearer")
                    .body("error.code", equalTo(401)).body("error.message", containsString("needs an API key"))
                    .body("error.message", containsString("gptlens.api-key"));
            given().urlEncodingEnabled(false).header("Authorization", "Bearer wrong").get(path).then().statusCode(401)
                    .body("error.message", containsString("API key given is wrong"));
        }
        given().contentType(ContentType.JSON).body(Map.of("content", "Once")).post("/tokenize").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("tokens", List.of(1))).post("/detokenize").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("prompt", "Once", "max_tokens", 2)).post("/v1/completions").then().statusCode(401);

        given().header("Authorization", KEY).get("/v1/models").then().statusCode(200).body("data[0].id", equalTo("stories260K"));
        given().header("Authorization", "bearer " + WithApiKey.KEY).get("/props").then().statusCode(200);
        given().header("Authorization", KEY).contentType(ContentType.JSON).body(Map.of("prompt", "Once", "max_tokens", 2, "stream", true))
                .post("/v1/completions").then().statusCode(200).body(containsString("data: [DONE]"));
        given().header("Authorization", KEY).get("/api/nope").then().statusCode(404).contentType(ContentType.JSON);
    }

    @Test
    void healthAndTheBrowserUiStayOpen() {
        given().get("/health").then().statusCode(200).body("status", equalTo("ok"));
        given().get("/").then().statusCode(200).contentType(startsWith("text/html"));
        given().get("/models").then().statusCode(200).contentType(startsWith("text/html"));
    }

    @Test
    void theAdminTokenStandsInForTheKeyAndTheKeyIsNoAdminToken() {
        given().header("Authorization", WebSurfaceTest.ADMIN).get("/v1/models").then().statusCode(200);
        // an admin action with the API key passes the key check and is refused by the admin check
        given().header("Authorization", KEY).post("/api/plugins/top-p/disable").then().statusCode(401)
                .body("error.message", containsString("needs the admin token (gptlens.admin-token), not the API key"));
        given().header("Authorization", WebSurfaceTest.ADMIN).post("/api/plugins/top-p/disable").then().statusCode(404)
                .body("error.message", containsString("built-in samplers cannot be switched off"));
    }

    @Test
    void addedHostNamesAreServedOthersRefused() {
        given().header("Host", "gptlens.example").header("Authorization", KEY).get("/v1/models").then().statusCode(200);
        given().header("Host", "other.example:8686").get("/health").then().statusCode(200);
        given().header("Host", "GPTLENS.example").get("/").then().statusCode(200);
        given().header("Host", "evil.example").get("/health").then().statusCode(403);
    }
}
