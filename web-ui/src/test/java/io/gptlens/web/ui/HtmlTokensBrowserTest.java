package io.gptlens.web.ui;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufValue;
import io.gptlens.core.gguf.GgufWriter;
import io.gptlens.web.explorer.ExplorerService;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.lang.foreign.ValueLayout;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token text is always escaped: stories260K with every word token replaced by HTML that would
 * run script if a view inserted it as markup, fed through the playground (prompt chips,
 * generated text, distribution, the inside view), the explorer and the models view in real
 * Chromium. No payload may run and each must show as its literal text.
 */
@QuarkusTest
class HtmlTokensBrowserTest extends BrowserTestBase {

    static final String ID = "html-tokens";
    /** Each sets a flag if it ever runs; the token id keeps the pieces unique. */
    static final String[] PAYLOADS = {"<img src=x onerror=\"window.__xss=1\">", "<script>window.__xss=2</script>",
            "\"><svg onload=\"window.__xss=3\">", "<b onmouseover=\"window.__xss=4\">bold</b>", "&lt;amp&gt;"};

    @TestHTTPResource("/")
    URL root;

    @Inject
    ModelRegistry registry;
    @Inject
    ExplorerService explorer;

    @AfterEach
    void unload() {
        registry.unload(ID);
    }

    private Path writeModel() throws Exception {
        Path out = Files.createDirectories(Path.of("target", "html-tokens").toAbsolutePath()).resolve(ID + ".gguf");
        Path stories = Path.of(System.getProperty("gptlens.shared.dir", "../../shared"), "models", "stories260K.gguf").toAbsolutePath();
        GgufWriter w = new GgufWriter();
        try (GgufFile f = GgufFile.open(stories)) {
            List<String> tokens = new ArrayList<>(((GgufValue.StrArray) f.get("tokenizer.ggml.tokens").orElseThrow()).values());
            for (int i = 259; i < tokens.size(); i++) { // keep <unk>, <s>, </s> and the 256 byte tokens
                tokens.set(i, PAYLOADS[i % PAYLOADS.length] + i);
            }
            f.metadata().forEach((k, v) -> w.put(k, k.equals("tokenizer.ggml.tokens") ? new GgufValue.StrArray(tokens) : v));
            for (var t : f.tensors().values()) {
                w.addTensor(t.name(), t.type(), f.tensorData(t).toArray(ValueLayout.JAVA_BYTE), t.shape());
            }
        }
        w.write(out);
        return out;
    }

    /** All text under the body, through every shadow root. */
    private String deepText() {
        return (String) browser.js("""
                const out = [];
                const walk = n => {
                  if (n.nodeType === 3) { out.push(n.textContent); return; }
                  if (n.getAttribute) { const t = n.getAttribute('title'); if (t) out.push(t); }
                  if (n.shadowRoot) walk(n.shadowRoot);
                  for (const c of n.childNodes) walk(c);
                };
                walk(document.body);
                return out.join(' ');""");
    }

    private void assertNothingRan(String where) {
        assertEquals(null, browser.js("return window.__xss === undefined ? null : String(window.__xss);"), "a token's HTML ran in " + where);
        Object injected = browser.js("""
                let n = 0;
                const walk = r => { n += r.querySelectorAll('img[src="x"], svg[onload], b[onmouseover]').length
                                      + [...r.querySelectorAll('script')].filter(s => s.textContent.includes('__xss')).length;
                                    r.querySelectorAll('*').forEach(e => { if (e.shadowRoot) walk(e.shadowRoot); }); };
                walk(document);
                return n;""");
        assertEquals(0L, ((Number) injected).longValue(), "elements made from token text in " + where);
    }

    @Test
    void htmlLikeTokensShowAsTextInEveryView() throws Exception {
        registry.load(writeModel());

        // the playground: prompt chips, streamed text, the distribution, the inside view
        browser.driver.get(root + "playground?model=" + ID);
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.type("#prompt textarea", "Once upon a time");
        browser.await(20, d -> d.findElements(By.cssSelector("#tokens .chip")).size() > 3);
        browser.type("#max-tokens input", "24");
        browser.click(browser.find("#generate"));
        browser.await(60, d -> browser.find("#status").getText().contains("max tokens") || browser.find("#status").getText().contains("end"));
        browser.await(20, d -> d.findElements(By.cssSelector("#distribution .dist-row[data-id]")).size() > 0);
        // a token without a space (as these are) wraps inside its column: none reaches into the side column
        Object spill = browser.js("""
                const side = document.querySelector('.workspace-side').getBoundingClientRect();
                const out = [...document.querySelectorAll('#tokens .chip, .output .tok')]
                    .flatMap(e => [...e.getClientRects()].filter(r => r.right > side.left).map(r => (e.id || e.textContent) + ' ' + Math.round(r.right) + ' > ' + Math.round(side.left)));
                return out.join(' | ');""");
        assertEquals("", spill, "tokens reaching past the main column");
        browser.click(browser.find("#tok-2"));
        String playground = deepText();
        assertNothingRan("the playground");
        assertTrue(playground.contains("<img src=x onerror=") || playground.contains("<script>window.__xss") || playground.contains("<svg onload"),
                "the payloads show as text: " + playground.substring(0, Math.min(400, playground.length())));

        // the walk: chips, the layer grid and the logit lens, a head's heatmap, the softmax bars, all labelled with those tokens
        browser.driver.get(browser.find("#walk-link").getAttribute("href"));
        browser.await(120, d -> List.of("stage-tokens", "stage-blocks", "stage-softmax").stream()
                .allMatch(s -> "ready".equals(browser.find("#" + s).getAttribute("data-state"))));
        browser.choose("#grid-mode", "the logit lens (top token)");
        browser.await(60, d -> d.findElements(By.cssSelector("#layer-grid td[data-id]")).size() > 0);
        browser.click(browser.find("#heads img.head"));
        browser.await(30, d -> d.findElements(By.cssSelector("#head-map tr")).size() > 1);
        String walk = deepText();
        assertNothingRan("the walk");
        assertTrue(walk.contains("<img src=x onerror=") || walk.contains("<script>window.__xss") || walk.contains("<svg onload"),
                "the payloads show as text: " + walk.substring(0, Math.min(400, walk.length())));

        // the explorer: neighbours and the scatter plot of HTML-named tokens
        explorer.await(registry.resolve(ID), ExplorerService.Matrix.WE);
        browser.driver.get(root + "explorer?model=" + ID);
        browser.await(60, d -> d.findElements(By.cssSelector("#neighbor-query input")).size() == 1);
        browser.await(30, d -> "ready".equals(browser.find("#index-status").getAttribute("data-state")));
        browser.type("#neighbor-query input", "#300");
        browser.click(browser.find("#neighbors-go"));
        browser.await(30, d -> deepText().contains("window.__xss"));
        assertNothingRan("the explorer");

        // the models view: the model's anatomy and metadata
        browser.driver.get(root + "models");
        browser.await(60, d -> d.findElements(By.id("anatomy-" + ID)).size() == 1 || deepText().contains(ID));
        assertNothingRan("the models view");
    }
}
