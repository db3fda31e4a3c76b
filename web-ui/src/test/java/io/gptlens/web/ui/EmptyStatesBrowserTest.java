package io.gptlens.web.ui;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With no model loaded, every page that needs one says so and what to do, in real Chromium. */
@QuarkusTest
class EmptyStatesBrowserTest extends BrowserTestBase {

    static final String ADMIN = "Bearer test-secret";

    @TestHTTPResource("/")
    URL root;

    private String text(String css) {
        List<org.openqa.selenium.WebElement> found = browser.driver.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.getFirst().getText();
    }

    @Test
    void withNoModelEveryPageSaysWhatToDo() throws Exception {
        List<Map<String, Object>> loaded = given().get("/api/models").then().statusCode(200).extract().jsonPath().getList("");
        try {
            for (Map<String, Object> m : loaded) {
                given().header("Authorization", ADMIN).delete("/api/models/" + m.get("id")).then().statusCode(204);
            }
            assertEquals(0, given().get("/api/models").then().statusCode(200).extract().jsonPath().getList("").size());

            browser.driver.get(root + "models");
            browser.await(60, d -> text("#models-grid [slot='empty-state']").contains("No model yet"));
            assertTrue(text("#models-grid [slot='empty-state']").contains("train the built-in one (Train), load a file or download one"),
                    text("#models-grid [slot='empty-state']"));
            browser.screenshot(Path.of("target", "screenshots", "models-empty.png"));

            browser.driver.get(root + "playground");
            browser.await(60, d -> text("#status").equals(ModelChoice.NONE));
            browser.click(browser.find("#generate"));
            browser.await(10, d -> text("#status").equals(ModelChoice.NONE)); // Generate without a model says so, and nothing breaks
            assertEquals(0, browser.driver.findElements(By.cssSelector("#runs > *")).size());

            browser.driver.get(root.toString());
            browser.await(60, d -> text("#walk-status").equals(ModelChoice.NONE));

            browser.driver.get(root + "explorer");
            browser.await(60, d -> text("#explorer-message").contains(ModelChoice.NONE));
        } finally {
            for (Map<String, Object> m : loaded) { // as it was, for the test classes after this one
                given().header("Authorization", ADMIN).contentType(ContentType.JSON).body(Map.of("path", m.get("path"))).post("/api/models")
                        .then().statusCode(201);
            }
        }
    }
}
