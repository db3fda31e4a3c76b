package io.gptlens.web.ui;

import io.gptlens.web.explorer.ExplorerService;
import io.gptlens.web.explorer.WithMiniLm;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.net.URL;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The explorer in real Chromium on the built-in all-MiniLM-L6-v2: a neighbour query and an analogy. */
@QuarkusTest
@TestProfile(WithMiniLm.class)
class ExplorerBrowserTest extends BrowserTestBase {

    @TestHTTPResource("/explorer")
    URL page;

    @Inject
    ExplorerService explorer;
    @Inject
    ModelRegistry registry;


    private String gridText(String id) {
        return (String) browser.js("return [...document.querySelectorAll('#' + arguments[0] + ' vaadin-grid-cell-content')]"
                + ".map(c => c.textContent.trim()).join(' | ');", id);
    }

    @Test
    void neighboursOfKingAndTheQueenAnalogy() throws Exception {
        explorer.await(registry.resolve("all-minilm-l6-v2"), ExplorerService.Matrix.WE);
        browser.driver.get(page.toString());
        browser.await(60, d -> d.findElements(By.cssSelector("#neighbor-query input")).size() == 1);
        browser.await(30, d -> "ready".equals(browser.find("#index-status").getAttribute("data-state")));
        browser.type("#neighbor-query input", "king");
        browser.click(browser.find("#neighbors-go"));
        browser.await(30, d -> gridText("neighbors-results").contains("queen"));
        String n = gridText("neighbors-results");
        assertTrue(n.contains("monarch") && n.contains("prince"), n);
        browser.await(10, d -> d.findElements(By.cssSelector("#scatter svg g")).size() == 11);
        browser.screenshot(Path.of("target", "screenshots", "explorer-neighbours.png"));

        browser.type("#analogy-a input", "king");
        browser.type("#analogy-b input", "man");
        browser.type("#analogy-c input", "woman");
        browser.click(browser.find("#analogy-go"));
        browser.await(30, d -> browser.find("#analogy-expression").getText().startsWith("king − man + woman ≈ queen"));
        browser.js("document.querySelector('#analogy-expression').scrollIntoView({block: 'start'});");
        browser.screenshot(Path.of("target", "screenshots", "explorer-analogy.png"));
    }
}
