package io.gptlens.web.steering;

import io.gptlens.core.gguf.GgufWriter;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A control vector made by the format's rules (as llama.cpp's cvector-generator writes one:
 * {@code controlvector} architecture, {@code direction.N} F32 tensors, no name) imported over HTTP
 * on stories260K: its vectors are the direction's, layer by layer; files of another shape are refused.
 */
@QuarkusTest
class SteeringImportApiTest {

    @Inject
    ModelRegistry registry;

    @Inject
    SteeringService steering;

    private static byte[] controlVector(int d, float[][] v) throws Exception {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "controlvector");
        w.putString("controlvector.model_hint", "llama");
        int count = 0;
        for (int l = 0; l < v.length; l++) {
            if (v[l] != null) {
                w.addTensor("direction." + l, v[l], d);
                count++;
            }
        }
        w.putInt32("controlvector.layer_count", count);
        Path f = Files.createTempFile("cvec", ".gguf");
        try {
            w.write(f);
            return Files.readAllBytes(f);
        } finally {
            Files.delete(f);
        }
    }

    private static Response upload(byte[] body, String name, boolean admin) {
        var r = given().contentType("application/octet-stream").body(body).queryParam("model", "stories260K");
        if (name != null) {
            r = r.queryParam("name", name);
        }
        if (admin) {
            r = r.header("Authorization", SteeringApiTest.ADMIN);
        }
        return r.post("/api/steering/directions/file");
    }

    @Test
    void aFileByTheFormatsRulesImportsAndOthersAreRefused() throws Exception {
        LoadedModel m = registry.resolve("stories260K");
        int d = m.model().info().embeddingLength();
        int layers = m.model().info().layers();
        Random r = new Random(5);
        float[][] v = new float[layers][];
        for (int l : new int[]{1, 3}) {
            v[l] = new float[d];
            for (int i = 0; i < d; i++) {
                v[l][i] = (float) r.nextGaussian();
            }
        }
        String id = upload(controlVector(d, v), null, true).then().statusCode(201).extract().jsonPath().getString("id");
        assertEquals("imported", given().get("/api/steering/directions?model=stories260K").then().extract().jsonPath()
                .getString("data.find { it.id == '" + id + "' }.name"));
        for (int l = 0; l < layers; l++) {
            if (v[l] == null) {
                assertNull(steering.direction(m, id).at(l), "layer " + l);
            } else {
                assertArrayEquals(v[l], steering.direction(m, id).at(l), "layer " + l);
            }
        }
        String named = upload(controlVector(d, v), "from a file", true).then().statusCode(201).extract().jsonPath().getString("name");
        assertEquals("from a file", named);

        float[][] wide = new float[layers][];
        wide[1] = new float[d + 1];
        assertTrue(upload(controlVector(d + 1, wide), null, true).then().statusCode(422).extract().jsonPath().getString("error.message")
                .startsWith("Not a control vector for model 'stories260K'"));
        upload("not a gguf".getBytes(), null, true).then().statusCode(422);
        upload(new byte[0], null, true).then().statusCode(400);
        upload(controlVector(d, v), null, false).then().statusCode(401);
        for (var s : steering.list(m)) {
            if (s.name().equals("imported") || s.name().equals("from a file")) {
                steering.delete(m, s.id());
            }
        }
    }
}
