package io.gptlens.web.security;

import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server open to the network without an API key: the warning at start, and loading by path confined to the models folders. */
@QuarkusTest
@TestProfile(Exposed.class)
class ExposedServerTest {

    @Inject
    ModelRegistry registry;

    private static Path model() {
        return Path.of(System.getProperty("gptlens.shared.dir", "../shared"), "models", "stories260K.gguf");
    }

    private static io.restassured.response.ValidatableResponse load(Path p) {
        return given().header("Authorization", WebSurfaceTest.ADMIN).contentType(ContentType.JSON).body(Map.of("path", p.toString()))
                .post("/api/models").then();
    }

    private static void unload(String id) {
        given().header("Authorization", WebSurfaceTest.ADMIN).delete("/api/models/" + id).then().statusCode(204);
    }

    @Test
    void theStartWarnsThatAnyoneOnTheNetworkCanUseIt() throws Exception {
        String log = Files.readString(Path.of(Exposed.LOG));
        assertTrue(log.contains("WARN") && log.contains("GPTLens listens on 0.0.0.0, beyond this machine, and has no API key"), log);
        assertTrue(log.contains("anyone who can reach this machine on the network can use its API"), log);
        assertTrue(log.contains("./gptlens --api-key KEY"), log);
    }

    @Test
    void modelsLoadByPathOnlyFromTheModelsFolders() throws Exception {
        // the model given at start lies outside the folders: the operator chose it
        given().get("/v1/models").then().statusCode(200).body("data.id", hasItem("stories260K"));

        Path outside = Path.of("target", "outside-" + System.nanoTime(), "outside-model.gguf").toAbsolutePath();
        Files.createDirectories(outside.getParent());
        Files.copy(model(), outside);
        load(outside).statusCode(403).body("error.code", equalTo(403))
                .body("error.message", containsString("listens on 0.0.0.0"))
                .body("error.message", containsString("-Dgptlens.models-folders=/path"))
                .body("error.message", containsString("--models-folder"));
        load(Path.of("/nonexistent/x.gguf")).statusCode(403);

        Path folder = Path.of(Exposed.FOLDER).toAbsolutePath();
        Files.createDirectories(folder);
        Path inside = folder.resolve("inside-model.gguf");
        Path link = folder.resolve("link-model.gguf");
        Path modelsFolder = registry.modelsFolder().resolve("folder-model-" + System.nanoTime() + ".gguf");
        try {
            Files.copy(model(), inside);
            load(inside).statusCode(201).body("id", equalTo("inside-model"));
            unload("inside-model");
            load(Path.of(Exposed.FOLDER, "inside-model.gguf")).statusCode(201); // relative to the working folder
            unload("inside-model");
            // neither .. nor a symbolic link leads out
            load(Path.of(folder + "/../" + outside.getParent().getFileName() + "/outside-model.gguf")).statusCode(403);
            Files.createSymbolicLink(link, outside);
            load(link).statusCode(403).body("error.message", containsString("is refused"));
            load(folder.resolve("missing.gguf")).statusCode(400).body("error.message", containsString("No such model file"));
            // the models folder, where downloads and uploads go
            Files.createDirectories(modelsFolder.getParent());
            Files.copy(model(), modelsFolder);
            load(modelsFolder).statusCode(201);
            unload(ModelRegistry.idOf(modelsFolder));
        } finally {
            Files.deleteIfExists(inside);
            Files.deleteIfExists(link);
            Files.deleteIfExists(modelsFolder);
        }
    }
}
