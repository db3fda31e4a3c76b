package io.gptlens.web.ui;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

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

    /** Runs listed (a run is listed in the same round trip that starts it). */
    private int runs() {
        return browser.driver.findElements(By.cssSelector("#runs > *")).size();
    }

    /** "12.34 %" as 12.34. */
    private static double percent(String text) {
        return Double.parseDouble(text.replace(" %", ""));
    }

    /** A bar's width in percent, as its style sets it. */
    private double barWidth(String css) {
        return Double.parseDouble(((String) browser.js("return document.querySelector(arguments[0]).style.width;", css)).replace("%", ""));
    }

    /** Nothing runs: Generate is offered and no listed run is still going (its title ends with "…"). */
    private boolean idle() {
        return browser.enabled("#generate") && !browser.find("#runs").getText().contains("…");
    }

    private String status() {
        return browser.find("#status").getText();
    }

    @Test
    void promptTokensGreedyDistributionTemperatureBranchAndReplay() throws Exception {
        browser.driver.get(root.toString() + "playground?model=stories260K"); // this model, whatever other tests left loaded
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
        // the two bars side by side are those two numbers
        assertEquals(percent(modelP), barWidth("#alt-432 .bar .fill-model"), 1e-9);
        assertEquals(percent(flatter), barWidth("#alt-432 .bar .fill-sampled"), 1e-9);
        browser.type("#temperature input", "0");
        browser.await(10, d -> browser.find("#alt-432 .p-sampled").getText().equals("100.00 %"));
        assertEquals(100, barWidth("#alt-432 .bar .fill-sampled"), 1e-9);
        assertEquals(0, barWidth("#distribution .dist-row[data-id]:not(#alt-432) .bar .fill-sampled"), 1e-9, "greedy leaves nothing of the others");

        // greedy generation streams llama.cpp's exact continuation
        browser.type("#max-tokens input", "80");
        browser.click(browser.find("#generate"));
        browser.await(60, d -> status().contains("max tokens"));
        assertTrue(generated().startsWith(KNOWN), generated());
        browser.screenshot(Path.of("target", "screenshots", "playground.png"));

        // click a generated token, then an alternative: the branch continues from it
        browser.click(browser.find("#tok-3"));
        browser.await(10, d -> browser.find("#distribution").getText().contains("generated token 4"));
        // the arrows step through the tokens as clicks would
        browser.driver.findElement(By.tagName("body")).sendKeys(org.openqa.selenium.Keys.ARROW_RIGHT);
        browser.await(10, d -> browser.find("#distribution").getText().contains("generated token 5")
                && browser.find("#tok-4").getAttribute("class").contains("selected"));
        browser.driver.findElement(By.tagName("body")).sendKeys(org.openqa.selenium.Keys.ARROW_LEFT);
        browser.await(10, d -> browser.find("#distribution").getText().contains("generated token 4")
                && browser.find("#tok-3").getAttribute("class").contains("selected"));
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
    void theWalkLinkWalksThisPromptAtThisTemperature() throws Exception {
        browser.driver.get(root.toString() + "playground?model=stories260K"); // this model, whatever other tests left loaded
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.type("#temperature input", "0.7");
        browser.type("#top-k input", "40");
        browser.type("#prompt textarea", "Once upon a time");
        browser.await(20, d -> chipIds().equals(List.of(1, 403, 407, 261, 378)));
        browser.await(20, d -> String.valueOf(browser.find("#walk-link").getAttribute("href")).contains("t=0.70"));
        String href = browser.find("#walk-link").getAttribute("href");
        assertTrue(href.contains("model=stories260K") && href.contains("prompt=Once") && href.contains("chain=top-k%3Ak%3D40"), href);
        browser.driver.get(href);
        browser.await(120, d -> "ready".equals(browser.find("#stage-softmax").getAttribute("data-state")));
        assertEquals(List.of(1, 403, 407, 261, 378), browser.driver.findElements(By.cssSelector("#stage-tokens .chip")).stream()
                .map(c -> Integer.parseInt(c.getAttribute("data-id"))).toList(), "the walk cuts the same tokens");
        assertTrue(browser.find("#temperature-value").getText().startsWith("T = 0.70"), browser.find("#temperature-value").getText());
    }

    @Test
    void chainEditorReshapesAndThePipelineShowsEachStage() throws Exception {
        browser.driver.get(root.toString() + "playground?model=stories260K"); // this model, whatever other tests left loaded
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
        browser.driver.get(root.toString() + "playground?model=stories260K"); // this model, whatever other tests left loaded
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.type("#prompt textarea", "<b id=\"injected\">x</b>");
        browser.await(20, d -> d.findElements(By.cssSelector("#tokens .chip")).size() > 3);
        assertEquals(0, browser.driver.findElements(By.id("injected")).size(), "token text is never HTML");
        assertTrue(browser.find("#tokens").getText().contains("<"), browser.find("#tokens").getText());
        browser.type("#max-tokens input", "4096");
        browser.type("#temperature input", "1");
        // at temperature 1 a run can draw the end token at any moment, even between seeing Stop enabled and clicking it:
        // a run that ended by itself has not tested Stop, so run again
        for (int attempt = 0; ; attempt++) {
            int before = runs();
            browser.await(60, d -> idle());
            browser.click(browser.find("#generate"));
            browser.await(30, d -> runs() > before); // started: the last run's output no longer counts
            browser.await(30, d -> d.findElements(By.cssSelector("#output .tok")).size() > 5 || browser.enabled("#generate"));
            if (browser.enabled("#stop")) {
                try {
                    browser.click(browser.find("#stop"));
                } catch (org.openqa.selenium.WebDriverException endedMeanwhile) {
                    // the run ended and disabled Stop before the click landed
                }
            }
            browser.await(60, d -> idle());
            if (status().contains("stopped")) {
                break;
            }
            assertTrue(attempt < 5, "five runs in a row ended before Stop could be pressed: " + status());
        }
        assertTrue(browser.driver.findElements(By.cssSelector("#output .tok")).size() < 4096);
        assertTrue(browser.enabled("#generate"));
    }

    @Test
    void enterGeneratesAndEscapeStops() throws Exception {
        browser.driver.get(root.toString() + "playground?model=stories260K"); // this model, whatever other tests left loaded
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.type("#max-tokens input", "4096");
        browser.type("#temperature input", "1");
        browser.type("#prompt textarea", "Once upon a time");
        browser.await(20, d -> d.findElements(By.cssSelector("#tokens .chip")).size() == 5);
        // the server's warnings and errors meanwhile (the app logs through the JVM's root logger), for a failure's message
        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        Handler tap = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    logged.add(r.getLoggerName() + ": " + (r.getMessage() == null ? "" : r.getMessage().lines().findFirst().orElse(""))
                            + (r.getThrown() == null ? "" : " [" + r.getThrown() + "]"));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger.getLogger("").addHandler(tap);
        try {
            enterAndEscape(logged);
        } finally {
            Logger.getLogger("").removeHandler(tap);
        }
    }

    private void enterAndEscape(List<String> logged) {
        // what the page did with each Enter: a listener added after the app's own sees whether the app's filter took the key
        browser.js("window.__enters = []; document.querySelector('#prompt').addEventListener('keydown', e => {"
                + " if (e.key === 'Enter') window.__enters.push({prevented: e.defaultPrevented, busy: Object.values(Vaadin.Flow.clients)"
                + ".some(c => typeof c.isActive === 'function' && c.isActive())}); });");
        for (int attempt = 0; ; attempt++) { // as with Stop: a run that ends by itself before Esc tested nothing
            int before = runs();
            browser.await(60, d -> idle() && !browser.serverBusy());
            browser.js("document.querySelector('#prompt textarea').focus();"); // the key goes where a person's would: the focused prompt
            browser.find("#prompt textarea").sendKeys(org.openqa.selenium.Keys.ENTER);
            try {
                browser.await(30, d -> runs() > before);
            } catch (org.openqa.selenium.TimeoutException e) {
                // all on one line: the build's summary shows a failure's first line only
                throw new AssertionError(("Enter started no run (attempt " + attempt + "): status '" + status() + "', Enter events "
                        + browser.js("return JSON.stringify(window.__enters);") + ", server busy now " + browser.serverBusy()
                        + ", generate enabled " + browser.enabled("#generate") + ", runs '" + browser.find("#runs").getText()
                        + "', focus on " + browser.js("return document.activeElement && document.activeElement.tagName + '#' + document.activeElement.id;")
                        + ", prompt '" + browser.js("return document.querySelector('#prompt').value;") + "', server logged " + logged).replace('\n', ' '), e);
            }
            browser.await(30, d -> d.findElements(By.cssSelector("#output .tok")).size() > 5 || browser.enabled("#generate"));
            assertTrue(browser.driver.findElements(By.cssSelector("#output .tok")).size() > 0, "Enter generated: " + status());
            assertEquals("Once upon a time", browser.js("return document.querySelector('#prompt textarea').value;"), "Enter is no new line");
            browser.driver.findElement(By.tagName("body")).sendKeys(org.openqa.selenium.Keys.ESCAPE);
            browser.await(60, d -> idle());
            if (status().contains("stopped")) {
                break;
            }
            assertTrue(attempt < 5, "five runs in a row ended before Esc: " + status());
        }
        assertTrue(browser.driver.findElements(By.cssSelector("#output .tok")).size() < 4096);
    }

    @Test
    void theExplorerShowsATokensProbabilityInThePlayground() throws Exception {
        browser.driver.get(root.toString() + "playground?model=stories260K"); // this model, whatever other tests left loaded
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
