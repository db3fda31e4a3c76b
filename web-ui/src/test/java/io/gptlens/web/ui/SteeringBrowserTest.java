package io.gptlens.web.ui;

import io.gptlens.core.steering.ControlVectorFile;
import io.gptlens.core.steering.Direction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The playground's steering panel in real Chromium on stories260K: a direction made from W_E
 * (" Lily" to " Tom") on the last layer, the strength slider moved, the distribution redrawn as
 * llama-server's API gives it steered, and the side-by-side comparison as the comparison API gives it.
 */
@QuarkusTest
class SteeringBrowserTest extends BrowserTestBase {

    static final String PROMPT = "Once upon a time";

    @TestHTTPResource("/")
    URL root;

    /** The model's probabilities of the top 10 after the prompt, by id, steered as asked (null: not). */
    private static Map<Integer, Double> top(List<Map<String, Object>> steer) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("model", "stories260K", "prompt", PROMPT, "n_probs", 10, "n_predict", 1, "temperature", 0.0));
        if (steer != null) {
            body.put("steering", steer);
        }
        JsonPath r = given().contentType(ContentType.JSON).body(body).post("/completion").then().statusCode(200).extract().jsonPath();
        Map<Integer, Double> out = new LinkedHashMap<>();
        for (Map<String, Object> e : r.<Map<String, Object>>getList("completion_probabilities[0].top_logprobs")) {
            out.put(((Number) e.get("id")).intValue(), Math.exp(((Number) e.get("logprob")).doubleValue()));
        }
        return out;
    }

    /** The distribution panel's model probabilities, by id. */
    private Map<Integer, Double> shown() {
        Map<Integer, Double> out = new LinkedHashMap<>();
        for (WebElement row : browser.driver.findElements(By.cssSelector("#distribution .dist-row[data-id]"))) {
            out.put(Integer.parseInt(row.getAttribute("data-id")),
                    Double.parseDouble(row.findElement(By.cssSelector(".p-model")).getAttribute("textContent").strip().replace(" %", "")) / 100);
        }
        return out;
    }

    private static void assertSameTop(Map<Integer, Double> want, Map<Integer, Double> got, String what) {
        assertEquals(List.copyOf(want.keySet()), List.copyOf(got.keySet()), what + ": the same ten tokens in order");
        for (var e : want.entrySet()) {
            assertEquals(e.getValue(), got.get(e.getKey()), 5.1e-5, what + ": token " + e.getKey()); // shown to 0.01 %
        }
    }

    @Test
    void makeADirectionSteerTheDistributionAndCompare() throws Exception {
        int last = given().get("/api/models/stories260K").then().statusCode(200).extract().jsonPath().getInt("n_layer") - 1;
        browser.driver.get(root + "playground?model=stories260K");
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1 && d.findElements(By.id("steering")).size() == 1);
        browser.type("#prompt textarea", PROMPT);
        browser.await(30, d -> d.findElements(By.cssSelector("#alt-432")).size() == 1
                && d.findElements(By.cssSelector("#distribution .dist-row[data-id]")).size() == 10);
        Map<Integer, Double> plain = top(null);
        assertSameTop(plain, shown(), "unsteered");

        browser.js("document.getElementById('steering').opened = true;");
        browser.type("#admin-token input", "test-secret");
        browser.type("#steer-from input", " Lily");
        browser.type("#steer-to input", " Tom");
        browser.click(browser.find("#steer-make"));
        browser.await(30, d -> browser.find("#steer-message").getText().startsWith("Made 'Tom - Lily'"));
        String id = given().get("/api/steering/directions?model=stories260K").then().statusCode(200).extract().jsonPath()
                .getString("data.find { it.name == 'Tom - Lily' }.id");
        browser.type("#steer-first input", Integer.toString(last));
        browser.type("#steer-last input", Integer.toString(last));
        browser.js("const s = document.getElementById('steer-strength'); s.value = '3'; s.dispatchEvent(new Event('input', {bubbles: true}));");
        browser.await(10, d -> browser.find("#steer-strength-value").getText().equals("+3.0"));
        List<Map<String, Object>> steer = List.of(Map.of("direction", id, "strength", 3.0, "layers", List.of(last, last)));
        Map<Integer, Double> steered = top(steer);
        assertNotEquals(plain, steered, "strength 3 moves the distribution");
        browser.await(30, d -> shown().keySet().equals(steered.keySet()) && !shown().equals(plain));
        assertSameTop(steered, shown(), "steered");
        String summary = (String) browser.js("const s = document.querySelector('#steering [slot=summary]'); return s ? s.textContent : '';");
        assertEquals("Steering: Tom - Lily × +3.0, layers " + last + "–" + last, summary.strip());

        // the side-by-side view: the same prompt, seed and temperature, without and with
        String seed = (String) browser.js("return document.querySelector('#seed input').value;");
        browser.click(browser.find("#steer-compare"));
        browser.await(120, d -> browser.find("#steer-comparison").isDisplayed() && !d.findElements(By.cssSelector("#steer-gained tr")).isEmpty());
        JsonPath api = given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", PROMPT, "steering", steer,
                "max_tokens", 64, "temperature", 1.0, "seed", Long.parseLong(seed.trim()), "top", 8)).post("/api/steering/compare")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(api.getString("plain.content"), browser.find("#steer-plain").getAttribute("textContent"));
        assertEquals(api.getString("steered.content"), browser.find("#steer-steered").getAttribute("textContent"));
        assertEquals(api.getList("gained.id", Integer.class), browser.driver.findElements(By.cssSelector("#steer-gained tr")).stream()
                .map(r -> Integer.parseInt(r.getAttribute("data-id"))).toList());
        assertEquals(api.getList("lost.id", Integer.class), browser.driver.findElements(By.cssSelector("#steer-lost tr")).stream()
                .map(r -> Integer.parseInt(r.getAttribute("data-id"))).toList());
        browser.js("document.getElementById('steering').scrollIntoView({block: 'start'});");
        browser.screenshot(Path.of("target", "screenshots", "steering.png"));

        // back to 0: the distribution is the model's own again
        browser.js("const s = document.getElementById('steer-strength'); s.value = '0'; s.dispatchEvent(new Event('input', {bubbles: true}));");
        browser.await(30, d -> shown().keySet().equals(plain.keySet()));
        assertSameTop(plain, shown(), "strength 0");
        given().header("Authorization", "Bearer test-secret").delete("/api/steering/directions/" + id + "?model=stories260K").then().statusCode(204);

        // a control-vector file imports as a direction, chosen at strength 0
        int d = given().get("/api/models/stories260K").then().extract().jsonPath().getInt("n_embd");
        Path file = Files.createTempFile("steer", ".gguf");
        float[] small = new float[d];
        java.util.Arrays.fill(small, 0.01f);
        ControlVectorFile.write(Direction.uniform("from a file", small, last + 1, 1, last), "llama", file);
        browser.find("#steer-import").getShadowRoot().findElement(By.cssSelector("input[type=file]")).sendKeys(file.toString());
        browser.await(30, drv -> browser.find("#steer-message").getText().startsWith("Imported " + file.getFileName() + " as 'from a file'"));
        assertEquals("+0.0", browser.find("#steer-strength-value").getText());
        String imported = given().get("/api/steering/directions?model=stories260K").then().statusCode(200).extract().jsonPath()
                .getString("data.find { it.name == 'from a file' }.id");
        given().header("Authorization", "Bearer test-secret").delete("/api/steering/directions/" + imported + "?model=stories260K").then().statusCode(204);
        Files.delete(file);

        // contrastive prompts: the mean difference of the residuals, saved and chosen
        browser.type("#steer-positive textarea", "Lily was very happy");
        browser.type("#steer-negative textarea", "Lily was very sad");
        browser.click(browser.find("#steer-make-prompts"));
        browser.await(60, drv -> browser.find("#steer-message").getText().startsWith("Made 'mean of 1 vs 1 prompts'"));
        String contrast = given().get("/api/steering/directions?model=stories260K").then().statusCode(200).extract().jsonPath()
                .getString("data.find { it.name == 'mean of 1 vs 1 prompts' }.id");
        String chosen = (String) browser.js("return document.querySelector('#steer-direction').innerText;");
        assertTrue(chosen.contains("mean of 1 vs 1 prompts"), chosen);
        given().header("Authorization", "Bearer test-secret").delete("/api/steering/directions/" + contrast + "?model=stories260K").then().statusCode(204);
    }
}
