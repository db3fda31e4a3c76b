package io.gptlens.web.ui;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The patching page in real Chromium on stories260K: the Lily / Tim heatmap and the attribution bars. */
@QuarkusTest
class PatchingBrowserTest extends BrowserTestBase {

    @TestHTTPResource("/")
    URL root;

    @Test
    void theHeatmapAndTheBars() throws Exception {
        browser.driver.get(root + "patching");
        browser.await(60, d -> d.findElements(By.id("trace-go")).size() == 1 && !browser.find("#patching-model").getText().isBlank());
        int layers = given().get("/api/models/stories260K").then().statusCode(200).extract().jsonPath().getInt("n_layer");
        // the oracle first, so that it does not wait for the page's own trace
        JsonPath api = given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "clean", "Lily went to the park. Then Lily",
                "corrupted", "Tim went to the park. Then Lily", "target", " was")).post("/api/patching").then().statusCode(200).extract().jsonPath();
        int n = api.getList("positions").size();
        browser.click(browser.find("#trace-go"));
        browser.await(60, d -> d.findElements(By.cssSelector("#trace td[data-recovered]")).size() == layers * n
                && !browser.find("#patching-progress").isDisplayed() && browser.find("#trace-go").isEnabled());
        List<List<Number>> recovered = api.getList("recovered");
        for (WebElement td : browser.driver.findElements(By.cssSelector("#trace td[data-recovered]"))) {
            int l = Integer.parseInt(td.getAttribute("data-layer"));
            int p = Integer.parseInt(td.getAttribute("data-pos"));
            assertEquals(recovered.get(l).get(p).doubleValue(), Double.parseDouble(td.getAttribute("data-recovered")), 1e-6, "layer " + l + ", position " + p);
        }
        assertEquals(1.0, Double.parseDouble(browser.find("#trace td[data-layer='" + (layers - 1) + "'][data-pos='" + (n - 1) + "']")
                .getAttribute("data-recovered")), 1e-3);
        assertTrue(browser.find("#trace tr th:nth-child(2)").getText().length() > 0);
        assertTrue(browser.find("#trace").getText().contains("Lily / ") || browser.find("#trace").getText().contains("␣Lily / "), "the columns name both tokens");

        browser.click(browser.find("#dla-go"));
        browser.await(60, d -> d.findElements(By.cssSelector("#attribution .dla-row")).size() == 2 + 2 * layers);
        double sum = browser.driver.findElements(By.cssSelector("#attribution .dla-row")).stream()
                .mapToDouble(r -> Double.parseDouble(r.getAttribute("data-value"))).sum();
        double logit = given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", "Once upon a time", "token", ","))
                .post("/api/attribution").then().statusCode(200).extract().jsonPath().getDouble("logit");
        assertEquals(logit, sum, 1e-3, "the bars add up to the logit");
        browser.screenshot(Path.of("target", "screenshots", "patching.png"));
    }
}
