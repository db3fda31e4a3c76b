package io.gptlens.web.ui;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URL;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The playground in real Chromium against the running app with stories260K. */
@QuarkusTest
class PlaygroundBrowserTest extends BrowserTestBase {

    static final String KNOWN = ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. "
            + "She wanted to play with it, but it was too high.\nLily's mom said";

    @TestHTTPResource("/")
    URL root;


    private List<Integer> chipIds() {
        return browser.driver.findElements(By.cssSelector("#tokens .chip")).stream()
                .map(e -> Integer.parseInt(e.getAttribute("data-id"))).toList();
    }

    private String generated() {
        return String.join("", browser.driver.findElements(By.cssSelector("#output .tok")).stream()
                .map(e -> (String) browser.js("return arguments[0].textContent;", e)).toList());
    }

    private String status() {
        return browser.find("#status").getText();
    }

    @Test
    void promptTokensGreedyDistributionTemperatureBranchAndReplay() throws Exception {
        browser.driver.get(root.toString());
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.await(30, d -> !browser.find("#model-select").getText().isBlank() || d.findElements(By.cssSelector("#tokens .chip")).size() > 0);

        // tokens appear as the prompt is typed
        browser.type("#prompt textarea", "Once upon a time");
        browser.await(20, d -> chipIds().equals(List.of(1, 403, 407, 261, 378)));
        assertTrue(browser.find("#token-count").getText().startsWith("5 / "), browser.find("#token-count").getText());

        // the next-token distribution, with percentages (wait for the prompt's: the empty prompt's came first)
        browser.await(20, d -> d.findElements(By.cssSelector("#alt-432")).size() == 1
                && d.findElements(By.cssSelector("#distribution .dist-row[data-id]")).size() == 10);
        WebElement first = browser.find("#distribution .dist-row[data-id]");
        assertEquals("432", first.getAttribute("data-id"), "',' is the most likely next token");
        String before = first.findElement(By.cssSelector(".p-sampled")).getText();
        String modelP = first.findElement(By.cssSelector(".p-model")).getText();
        assertTrue(before.matches("\\d+\\.\\d\\d %"), before);

        // temperature reshapes the shown distribution without running the model
        browser.type("#temperature input", "3");
        browser.await(10, d -> !browser.find("#alt-432 .p-sampled").getText().equals(before));
        String flatter = browser.find("#alt-432 .p-sampled").getText();
        assertTrue(Double.parseDouble(flatter.replace(" %", "")) < Double.parseDouble(before.replace(" %", "")), before + " -> " + flatter);
        assertEquals(modelP, browser.find("#alt-432 .p-model").getText(), "the model's own probability is unchanged");
        browser.type("#temperature input", "0");
        browser.await(10, d -> browser.find("#alt-432 .p-sampled").getText().equals("100.00 %"));

        // greedy generation streams llama.cpp's exact continuation
        browser.type("#max-tokens input", "80");
        browser.click(browser.find("#generate"));
        browser.await(60, d -> status().contains("max tokens"));
        assertTrue(generated().startsWith(KNOWN), generated());
        browser.screenshot(Path.of("target", "screenshots", "playground.png"));

        // click a generated token, then an alternative: the branch continues from it
        browser.click(browser.find("#tok-3"));
        browser.await(10, d -> browser.find("#distribution").getText().contains("generated token 4"));
        String chosen = browser.find("#tok-3").getAttribute("data-id");
        WebElement alt = browser.driver.findElements(By.cssSelector("#distribution .dist-row[data-id]")).stream()
                .filter(e -> !e.getAttribute("data-id").equals(chosen)).findFirst().orElseThrow();
        String altId = alt.getAttribute("data-id");
        browser.click(alt);
        browser.await(60, d -> d.findElements(By.id("run-2")).size() == 1 && status().contains("max tokens"));
        assertEquals(altId, browser.find("#tok-3").getAttribute("data-id"), "the branch takes the chosen alternative");
        assertTrue(browser.driver.findElements(By.cssSelector("#output .tok")).size() > 10, "and continues after it");
        assertNotEquals(generated(), KNOWN);
        assertTrue(browser.find("#run-2").getAttribute("style").contains("margin-left: 2em"), "shown as a branch of run 1");

        // replaying a run gives the same tokens
        browser.click(browser.find("#replay-run-2"));
        browser.await(60, d -> "identical".equals(browser.find("#status").getAttribute("data-replay")));
        assertTrue(status().contains("identical tokens"), status());
        browser.click(browser.find("#tok-3"));
        browser.await(10, d -> browser.find("#distribution").getText().contains("generated token 4"));
        browser.js("document.querySelector('#prompt').scrollIntoView({block: 'start'});");
        browser.screenshot(Path.of("target", "screenshots", "playground-branch.png"));
    }

    @Test
    void attentionHeatmapAndLogitLens() throws Exception {
        browser.driver.get(root.toString());
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.type("#prompt textarea", "Once upon a time");
        browser.await(20, d -> chipIds().equals(List.of(1, 403, 407, 261, 378)));
        browser.click(browser.find("#inspect"));
        browser.await(60, d -> browser.find("#inside-state").getText().startsWith("5 layers × 8 heads; layer 0 captured"));
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#attention tr"));
        assertEquals(6, rows.size(), "a header and one row per prompt token");
        WebElement cell = rows.get(2).findElements(By.cssSelector("td")).get(0);
        assertTrue(cell.getAttribute("title").startsWith("query ␣Once (1) → key <s> (0): "), cell.getAttribute("title"));
        assertEquals("1.00", rows.get(1).findElements(By.cssSelector("td")).get(0).getText(), "the first token can only attend to itself");
        List<WebElement> lens = browser.driver.findElements(By.cssSelector("#logit-lens tr"));
        assertEquals(6, lens.size(), "a header and one row per layer");
        assertEquals("432", lens.get(5).findElements(By.cssSelector("td")).get(0).getAttribute("data-id"),
                "the last layer predicts ',' as the model does");
        browser.screenshot(Path.of("target", "screenshots", "inside.png"));
    }

    @Test
    void chainEditorReshapesAndThePipelineShowsEachStage() throws Exception {
        browser.driver.get(root.toString());
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.type("#prompt textarea", "Once upon a time");
        browser.await(20, d -> d.findElements(By.cssSelector("#alt-432")).size() == 1);
        browser.js("document.querySelector('#chain-details').opened = true;");
        browser.choose("#chain-add", "top-k");
        browser.await(10, d -> d.findElements(By.id("chain-stage-0")).size() == 1);
        browser.type("#chain-stage-0 vaadin-number-field input", "2");
        browser.await(10, d -> d.findElements(By.cssSelector("#pipeline tr[data-stage='top-k']")).size() == 1
                && browser.find("#pipeline tr[data-stage='top-k']").findElements(By.cssSelector("td")).get(1).getText().equals("2"));
        assertEquals("510", browser.find("#pipeline tr[data-stage='top-k']").findElements(By.cssSelector("td")).get(2).getText());
        assertEquals("512", browser.find("#pipeline tr[data-stage='model']").findElements(By.cssSelector("td")).get(1).getText());
        // the third most likely token is now removed by the chain
        browser.await(10, d -> d.findElements(By.cssSelector("#distribution .dist-row .removed")).size() == 8);
        browser.choose("#chain-add", "llama.greedy (picks)");
        browser.await(10, d -> d.findElements(By.id("chain-stage-1")).size() == 1);
        browser.type("#max-tokens input", "5");
        browser.click(browser.find("#generate"));
        browser.await(60, d -> status().contains("max tokens"));
        assertTrue(generated().startsWith(", there was"), generated());
        browser.js("document.querySelector('#chain-details').scrollIntoView({block: 'start'});");
        browser.screenshot(Path.of("target", "screenshots", "chain.png"));
    }

    @Test
    void tokenTextIsEscapedAndStopEndsAGeneration() throws Exception {
        browser.driver.get(root.toString());
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.type("#prompt textarea", "<b id=\"injected\">x</b>");
        browser.await(20, d -> d.findElements(By.cssSelector("#tokens .chip")).size() > 3);
        assertEquals(0, browser.driver.findElements(By.id("injected")).size(), "token text is never HTML");
        assertTrue(browser.find("#tokens").getText().contains("<"), browser.find("#tokens").getText());
        browser.type("#max-tokens input", "4096");
        browser.type("#temperature input", "1");
        browser.click(browser.find("#generate"));
        browser.await(30, d -> d.findElements(By.cssSelector("#output .tok")).size() > 5);
        browser.click(browser.find("#stop"));
        browser.await(30, d -> status().contains("stopped"));
        assertTrue(browser.driver.findElements(By.cssSelector("#output .tok")).size() < 4096);
        assertTrue(browser.find("#generate").isEnabled());
    }

    @Test
    void theExplorerShowsATokensProbabilityInThePlayground() throws Exception {
        browser.driver.get(root.toString());
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.type("#prompt textarea", "Once upon a time");
        browser.await(20, d -> d.findElements(By.cssSelector("#alt-432 .p-model")).size() == 1);
        String modelP = browser.find("#alt-432 .p-model").getText(); // e.g. "96.87 %"
        browser.driver.get(root.toString() + "explorer");
        browser.await(60, d -> d.findElements(By.cssSelector("#neighbor-query input")).size() == 1);
        browser.await(60, d -> "ready".equals(browser.find("#index-status").getAttribute("data-state")));
        browser.type("#neighbor-query input", "#432");
        browser.click(browser.find("#neighbors-go"));
        browser.await(30, d -> browser.find("#playground-probability").getText().contains("rank 1 of 512"));
        String text = browser.find("#playground-probability").getText();
        assertTrue(text.contains("p = " + modelP.replace(" %", "")), text + " vs " + modelP);
    }
}
