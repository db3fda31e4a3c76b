package io.gptlens.web.ui;

import io.gptlens.web.internals.InternalsApiTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.net.URL;
import java.nio.file.Path;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Inside the model" in real Chromium on a model of real depth and vocabulary (24 layers, 14 heads,
 * Qwen2's 151,936 rows) with a prompt of a few hundred tokens: the attention of a layer drawn as an
 * image (one pixel per query and key), another layer captured on demand, the logit lens of all 24
 * layers; the time and memory each took are printed from the panel's own report.
 */
@QuarkusTest
class LargeModelInsideBrowserTest extends BrowserTestBase {

    @TestHTTPResource("/")
    URL root;

    @AfterEach
    void unload() {
        given().header("Authorization", "Bearer test-secret").delete("/api/models/" + InternalsApiTest.ID);
    }

    @Test
    void attentionImageAndLogitLensOf24Layers() throws Exception {
        Path file = InternalsApiTest.modelFile();
        given().header("Authorization", "Bearer test-secret").contentType(ContentType.JSON).body(Map.of("path", file.toAbsolutePath().toString()))
                .post("/api/models").then().statusCode(201);
        browser.driver.get(root.toString());
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.choose("#model-select", InternalsApiTest.ID);
        String prompt = "The quick brown fox jumps over the lazy dog near the quiet river bank. ".repeat(25);
        browser.js("const t = document.querySelector('#prompt textarea'); t.value = arguments[0]; t.dispatchEvent(new Event('input', {bubbles: true}));"
                + "t.dispatchEvent(new Event('change', {bubbles: true}));", prompt);
        browser.await(30, d -> d.findElements(By.cssSelector("#tokens .chip")).size() > 300);
        int tokens = browser.driver.findElements(By.cssSelector("#tokens .chip")).size();
        long t0 = System.nanoTime();
        browser.click(browser.find("#inspect"));
        browser.await(120, d -> browser.find("#inside-state").getText().startsWith("24 layers × 14 heads; layer 0 captured"));
        double firstSeconds = (System.nanoTime() - t0) / 1e9;
        String first = browser.find("#inside-state").getText();
        browser.await(10, d -> d.findElements(By.cssSelector("#attention-image")).size() == 1);
        long width = (Long) browser.js("return document.querySelector('#attention-image').naturalWidth;");
        assertEquals(tokens, width, "one pixel column per key token");
        assertEquals(25, browser.driver.findElements(By.cssSelector("#logit-lens tr")).size(), "a header and one row per layer");
        long t1 = System.nanoTime();
        browser.choose("#attention-layer", "23");
        browser.await(120, d -> browser.find("#inside-state").getText().contains("layer 23 captured"));
        double secondSeconds = (System.nanoTime() - t1) / 1e9;
        String second = browser.find("#inside-state").getText();
        assertTrue(browser.driver.findElements(By.cssSelector("#attention-image")).size() == 1);
        assertEquals(25, browser.driver.findElements(By.cssSelector("#logit-lens tr")).size(), "the lens stays while another layer is captured");
        System.out.printf("Inside the model, 24 layers, %d tokens, in Chromium: %.1f s to the first picture (%s); %.1f s for layer 23 (%s)%n",
                tokens, firstSeconds, first, secondSeconds, second);
        browser.screenshot(Path.of("target", "screenshots", "inside-24-layers.png"));
    }
}
