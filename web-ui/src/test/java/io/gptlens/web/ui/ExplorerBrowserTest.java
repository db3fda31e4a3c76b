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

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        Object cut = browser.js("""
                const svg = document.querySelector('#scatter svg'), w = Number(svg.getAttribute('width'));
                return [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()])
                    .filter(([, b]) => !(w > 0) || b.x < 0 || b.x + b.width > w)
                    .map(([s, b]) => s + ' ' + Math.round(b.x) + '..' + Math.round(b.x + b.width) + ' of ' + w).join(' | ');""");
        assertEquals("", cut, "scatter labels running off the picture");
        browser.screenshot(Path.of("target", "screenshots", "explorer-neighbours.png"));

        // the analogy is an expression in the same box; the filters are chips that re-run the query
        browser.type("#neighbor-query input", "king - man + woman");
        browser.click(browser.find("#neighbors-go"));
        browser.await(30, d -> browser.find("#query-note").getText().startsWith("The vector king - man + woman"));
        browser.await(30, d -> gridText("neighbors-results").contains("queen")); // its exact ranks are checked in theSearchBoxTakesExpressions
        String before = gridText("neighbors-results");
        browser.click(browser.find("#filter-words"));
        browser.await(10, d -> "true".equals(browser.find("#filter-words").getAttribute("aria-pressed")));
        browser.await(30, d -> !gridText("neighbors-results").equals(before) || !before.contains("##"));
        assertTrue(!gridText("neighbors-results").contains("##"), "whole words only: no WordPiece continuations " + gridText("neighbors-results"));
        browser.screenshot(Path.of("target", "screenshots", "explorer-analogy.png"));
    }

    /** The row of {@code id}, read through the service, compared by a brute-force scan written here. */
    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void theSearchBoxTakesExpressions() throws Exception {
        var m = registry.resolve("all-minilm-l6-v2");
        explorer.await(m, ExplorerService.Matrix.WE);
        browser.driver.get(page.toString() + "?model=all-minilm-l6-v2&q=" + java.net.URLEncoder.encode("king - man + woman", java.nio.charset.StandardCharsets.UTF_8));
        browser.await(60, d -> browser.find("#query-note").getText().startsWith("The vector king - man + woman"));
        // the oracle: every row of W_E scanned here, the three words left out
        int[] king = m.model().tokenizer().encode("king", false, false);
        int[] man = m.model().tokenizer().encode("man", false, false);
        int[] woman = m.model().tokenizer().encode("woman", false, false);
        float[] k = explorer.rowOf(m, ExplorerService.Matrix.WE, king[0]);
        float[] mn = explorer.rowOf(m, ExplorerService.Matrix.WE, man[0]);
        float[] w = explorer.rowOf(m, ExplorerService.Matrix.WE, woman[0]);
        float[] v = new float[k.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = k[i] - mn[i] + w[i];
        }
        int best = -1;
        double bestCos = -2;
        for (int id = 0; id < m.model().tokenizer().vocabularySize(); id++) {
            if (id == king[0] || id == man[0] || id == woman[0]) {
                continue;
            }
            double c = cosine(v, explorer.rowOf(m, ExplorerService.Matrix.WE, id));
            if (c > bestCos) {
                bestCos = c;
                best = id;
            }
        }
        String results = gridText("neighbors-results");
        String first = java.util.Arrays.stream(results.split(" \\| ")).filter(x -> x.matches("\\d+")).findFirst().orElse("none");
        org.junit.jupiter.api.Assertions.assertEquals(Integer.toString(best), first, results);
        browser.type("#neighbor-query input", "cos(king, queen)");
        browser.click(browser.find("#neighbors-go"));
        browser.await(30, d -> browser.find("#query-note").getAttribute("data-cosine") != null);
        int queen = m.model().tokenizer().encode("queen", false, false)[0];
        org.junit.jupiter.api.Assertions.assertEquals(cosine(k, explorer.rowOf(m, ExplorerService.Matrix.WE, queen)),
                Double.parseDouble(browser.find("#query-note").getAttribute("data-cosine")), 1e-5);
    }
}
