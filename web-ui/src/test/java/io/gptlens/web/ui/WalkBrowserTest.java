package io.gptlens.web.ui;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.TensorInfo;
import io.gptlens.web.internals.InternalsApiTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walk in real Chromium, on stories260K and on a model of real depth and vocabulary (24 layers,
 * 14 heads, Qwen2's 151,936 rows). Oracles: llama-server's {@code /completion} probabilities (the
 * softmax bars at T = 1, and at T = 2 and 0 by direct computation from them), {@code /tokenize}
 * (the chips), {@code /api/internals} (the layer grid's norms), the GGUF's own shape (W_U), the rows
 * of each attention pattern summing to 1, and the logit lens's last layer naming the same top token
 * as the final logits. Each stage's time to render is printed: the server's drawing, the browser's
 * layout and paint after it, and the whole way from a prompt change (the model's run included).
 */
@QuarkusTest
class WalkBrowserTest extends BrowserTestBase {

    static final List<String> STAGES = List.of("stage-tokens", "stage-vectors", "stage-blocks", "stage-logits", "stage-softmax", "stage-sample");
    static final String PROMPT = "Once upon a time";

    @TestHTTPResource("/")
    URL root;

    private String loaded;

    @AfterEach
    void unload() {
        if (loaded != null) {
            given().header("Authorization", "Bearer test-secret").delete("/api/models/" + loaded);
        }
    }

    private boolean ready(String stage) {
        return "ready".equals(browser.find("#" + stage).getAttribute("data-state"));
    }

    private void awaitWalk() {
        browser.await(120, d -> STAGES.stream().allMatch(this::ready));
    }

    private List<WebElement> bars() {
        return browser.driver.findElements(By.cssSelector("#softmax-bars .bar-row"));
    }

    /** The model's top-10 log-probabilities after the prompt, by id, from llama-server's API. */
    private Map<Integer, Double> modelLogprobs(String model, String prompt) {
        JsonPath r = given().contentType(ContentType.JSON).body(Map.of("model", model, "prompt", prompt, "n_probs", 10, "n_predict", 1, "temperature", 0.0))
                .post("/completion").then().statusCode(200).extract().jsonPath();
        Map<Integer, Double> out = new LinkedHashMap<>();
        for (Map<String, Object> e : r.<Map<String, Object>>getList("completion_probabilities[0].top_logprobs")) {
            out.put(((Number) e.get("id")).intValue(), ((Number) e.get("logprob")).doubleValue());
        }
        return out;
    }

    private void temperature(double t) {
        browser.js("const s = document.getElementById('temperature-slider'); s.value = arguments[0]; s.dispatchEvent(new Event('input', {bubbles: true}));",
                Double.toString(t));
        browser.await(20, d -> browser.find("#temperature-value").getText().startsWith(String.format(Locale.ROOT, "T = %.2f", t)));
    }

    @Test
    void walksStories260KThroughEveryStage() throws Exception {
        browser.driver.get(root.toString());
        awaitWalk();
        Map<String, Object> info = given().get("/api/models/stories260K").then().statusCode(200).extract().jsonPath().getMap("");
        int d = (Integer) info.get("n_embd");
        int vocab = (Integer) info.get("n_vocab");
        int layers = (Integer) info.get("n_layer");
        int heads = (Integer) info.get("n_head");
        List<Integer> ids = given().contentType(ContentType.JSON).body(Map.of("content", PROMPT, "add_special", true)).post("/tokenize")
                .then().statusCode(200).extract().jsonPath().getList("tokens", Integer.class);
        // 1. tokens, 2. one strip per token
        List<WebElement> chips = browser.driver.findElements(By.cssSelector("#stage-tokens .chip"));
        assertEquals(ids, chips.stream().map(c -> Integer.parseInt(c.getAttribute("data-id"))).toList());
        assertEquals(ids.size(), browser.driver.findElements(By.cssSelector("#stage-vectors img.strip")).size());
        // 3. the layer grid against the internals API, a head's heatmap whose rows sum to 1
        assertEquals(layers * ids.size(), browser.driver.findElements(By.cssSelector("#layer-grid td[data-layer]")).size());
        JsonPath internals = given().contentType(ContentType.JSON).body(Map.of("model", "stories260K", "prompt", PROMPT)).post("/api/internals")
                .then().statusCode(200).extract().jsonPath();
        double norm0 = internals.getDouble("residual_norms[0][1]");
        assertEquals(norm0, Double.parseDouble(browser.find("#layer-grid td[data-layer='0'][data-pos='1']").getAttribute("data-norm")), 1e-3);
        assertEquals(heads, browser.driver.findElements(By.cssSelector("#heads img.head")).size());
        browser.click(browser.find("#heads img.head[data-head='1']"));
        browser.await(10, d1 -> d1.findElements(By.cssSelector("#head-map tr")).size() == ids.size() + 1);
        List<WebElement> lastRow = browser.driver.findElements(By.cssSelector("#head-map tr:last-child td"));
        assertEquals(1.0, lastRow.stream().mapToDouble(c -> Double.parseDouble(c.getAttribute("data-w"))).sum(), 1e-4, "a query's attention sums to 1");
        List<WebElement> mapRows = browser.driver.findElements(By.cssSelector("#head-map tr"));
        assertEquals(1.0, Double.parseDouble(mapRows.get(1).findElements(By.cssSelector("td[data-w]")).getFirst().getAttribute("data-w")), 1e-6,
                "the first token can only attend to itself");
        String cellTitle = mapRows.get(2).findElements(By.cssSelector("td[data-w]")).getFirst().getAttribute("title");
        assertTrue(cellTitle.startsWith("query ␣Once (1) → key <s> (0): "), cellTitle);
        // 4. W_U's shape
        assertTrue(browser.find("#wu-shape").getText().startsWith(String.format(Locale.ROOT, "W_U: %,d × %,d = %,d", d, vocab, (long) d * vocab)),
                browser.find("#wu-shape").getText());
        assertEquals(60, browser.driver.findElements(By.cssSelector("#logit-histogram svg rect.bin")).size());
        // 5. softmax bars at T = 1 are the model's probabilities; at T = 2 their ratios are exp((lp_i - lp_j) / 2); T = 0 is the argmax
        Map<Integer, Double> lp = modelLogprobs("stories260K", PROMPT);
        for (WebElement bar : bars()) {
            int id = Integer.parseInt(bar.getAttribute("data-id"));
            assertEquals(Math.exp(lp.get(id)), Double.parseDouble(bar.getAttribute("data-p")), 1e-4, "token " + id + " at T = 1");
        }
        temperature(2);
        int top = Integer.parseInt(bars().getFirst().getAttribute("data-id"));
        double pTop = Double.parseDouble(bars().getFirst().getAttribute("data-p"));
        for (WebElement bar : bars()) {
            int id = Integer.parseInt(bar.getAttribute("data-id"));
            assertEquals(Math.exp((lp.get(id) - lp.get(top)) / 2), Double.parseDouble(bar.getAttribute("data-p")) / pTop, 1e-3, "token " + id + " at T = 2");
        }
        temperature(0);
        assertEquals(1.0, Double.parseDouble(bars().getFirst().getAttribute("data-p")), 1e-9);
        assertTrue(bars().getFirst().getAttribute("class").contains("argmax"));
        // the logit lens: its last layer is the model's own output, so its top token is the argmax
        browser.choose("#grid-mode", "the logit lens (top token)");
        browser.await(30, d1 -> d1.findElements(By.cssSelector("#layer-grid td[data-layer='" + (layers - 1) + "'][data-id]")).size() == 1);
        assertEquals(Integer.toString(top), browser.find("#layer-grid td[data-layer='" + (layers - 1) + "'][data-id]").getAttribute("data-id"));
        // 6. one "Next token" step at T = 0 appends the argmax, and the URL keeps the walk
        browser.await(20, d1 -> browser.find("#picked").getText().contains("(id " + top + ")"));
        browser.click(browser.find("#next-token"));
        browser.await(30, d1 -> d1.findElements(By.cssSelector("#stage-tokens .chip")).size() == ids.size() + 1);
        assertEquals(Integer.toString(top), browser.driver.findElements(By.cssSelector("#stage-tokens .chip")).getLast().getAttribute("data-id"));
        awaitWalk();
        String url = URLDecoder.decode(browser.driver.getCurrentUrl(), StandardCharsets.UTF_8);
        assertTrue(url.contains("t=0.00") && url.contains("model=stories260K") && url.contains("prompt=" + PROMPT), url);
        browser.screenshot(Path.of("target", "screenshots", "walk.png"));
        // the link reproduces the walk: same tokens, same temperature
        browser.driver.get(browser.driver.getCurrentUrl());
        awaitWalk();
        assertEquals(ids.size() + 1, browser.driver.findElements(By.cssSelector("#stage-tokens .chip")).size());
        assertEquals(1.0, Double.parseDouble(bars().getFirst().getAttribute("data-p")), 1e-9);
    }

    @Test
    void eachSamplerStageShowsWhatItRemovedAndWhatItRenormalised() throws Exception {
        browser.driver.get(root.toString() + "walk?model=stories260K&t=1&chain=top-k:k%3D2&prompt=" + java.net.URLEncoder.encode(PROMPT, StandardCharsets.UTF_8));
        awaitWalk();
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("#sample-pipeline [data-stage='top-k'] .mini-bar"));
        assertEquals(5, rows.size(), "the five tokens that came in");
        double before0 = Double.parseDouble(rows.get(0).getAttribute("data-before"));
        double before1 = Double.parseDouble(rows.get(1).getAttribute("data-before"));
        for (int i = 0; i < rows.size(); i++) {
            double before = Double.parseDouble(rows.get(i).getAttribute("data-before"));
            double after = Double.parseDouble(rows.get(i).getAttribute("data-after"));
            if (i < 2) { // kept, and renormalised over the two kept: p / (p0 + p1)
                assertEquals(before / (before0 + before1), after, 1e-5, "row " + i);
                assertTrue(!rows.get(i).getAttribute("class").contains("removed"));
            } else {
                assertEquals(0, after, "row " + i + " is removed by top-k 2");
                assertTrue(rows.get(i).getAttribute("class").contains("removed"));
                assertTrue(rows.get(i).getText().endsWith("→ removed"), rows.get(i).getText());
            }
        }
    }

    @Test
    void generateStreamsTheGreedyTokensThenWalksTheWholeText() throws Exception {
        browser.driver.get(root.toString() + "walk?model=stories260K&t=0&prompt=" + java.net.URLEncoder.encode(PROMPT, StandardCharsets.UTF_8));
        awaitWalk();
        int before = browser.driver.findElements(By.cssSelector("#stage-tokens .chip")).size();
        // Enter in the prompt generates, as the Generate button does
        browser.js("document.querySelector('#walk-prompt input').focus();");
        browser.find("#walk-prompt input").sendKeys(org.openqa.selenium.Keys.ENTER);
        browser.await(60, d -> d.findElements(By.cssSelector("#stage-tokens .chip")).size() > before);
        browser.await(120, d -> browser.enabled("#walk-generate") && STAGES.stream().allMatch(this::ready));
        List<WebElement> chips = browser.driver.findElements(By.cssSelector("#stage-tokens .chip"));
        List<Integer> generated = chips.subList(before, chips.size()).stream().map(c -> Integer.parseInt(c.getAttribute("data-id"))).toList();
        // the oracle: llama-server's API, greedy, for as many tokens
        List<Integer> greedy = given().contentType(ContentType.JSON)
                .body(Map.of("model", "stories260K", "prompt", PROMPT, "n_predict", generated.size(), "temperature", 0.0, "return_tokens", true))
                .post("/completion").then().statusCode(200).extract().jsonPath().getList("tokens", Integer.class);
        assertEquals(greedy, generated.subList(0, Math.min(generated.size(), greedy.size())));
        assertTrue(generated.size() == 64 || greedy.size() < generated.size(), "64 tokens, or the end token: " + generated.size());
        // then the whole text is walked: the layer grid reaches the last token in every layer
        int layers = given().get("/api/models/stories260K").then().statusCode(200).extract().jsonPath().getInt("n_layer");
        assertEquals(layers, browser.driver.findElements(By.cssSelector("#layer-grid td[data-layer][data-pos='" + (chips.size() - 1) + "']")).size());
        // the arrows step through the tokens: the chip, and in the logit lens the lens at that token
        browser.choose("#grid-mode", "the logit lens (top token)");
        int p = chips.size() - 3; // a generated token
        browser.click(browser.find("#stage-tokens .chip[data-pos='" + p + "']"));
        browser.await(10, d -> browser.find("#stage-tokens .chip[data-pos='" + p + "']").getAttribute("class").contains("selected"));
        browser.driver.findElement(By.tagName("body")).sendKeys(org.openqa.selenium.Keys.ARROW_RIGHT);
        String lensCell = "#layer-grid td[data-layer='" + (layers - 1) + "'][data-pos='" + (p + 1) + "'][data-id]";
        browser.await(30, d -> browser.find("#stage-tokens .chip[data-pos='" + (p + 1) + "']").getAttribute("class").contains("selected")
                && !d.findElements(By.cssSelector(lensCell)).isEmpty());
        // greedy text: the lens's last layer at a token is the model's argmax there, which is the token that follows
        assertEquals(browser.find("#stage-tokens .chip[data-pos='" + (p + 2) + "']").getAttribute("data-id"), browser.find(lensCell).getAttribute("data-id"));
    }

    /** Records, in the page, when each stage is next drawn after now: since now, and to the paint after its update. */
    private void watchStages(List<String> stages) {
        browser.js("window.__walk = {start: performance.now(), ready: {}, paint: {}};"
                + "for (const id of arguments[0]) { const el = document.getElementById(id);"
                + "  new MutationObserver((ms, o) => { if (el.getAttribute('data-state') !== 'ready') return; const t = performance.now();"
                + "    window.__walk.ready[id] = t - window.__walk.start;"
                + "    requestAnimationFrame(() => setTimeout(() => { window.__walk.paint[id] = performance.now() - t; }, 0)); o.disconnect(); })"
                + "  .observe(el, {attributes: true, attributeFilter: ['data-state', 'data-ms']}); }", stages);
    }

    @SuppressWarnings("unchecked")
    private String stageTimes(List<String> stages) {
        browser.await(30, d -> ((Map<String, Object>) browser.js("return window.__walk.paint;")).size() == stages.size());
        Map<String, Object> ready = (Map<String, Object>) browser.js("return window.__walk.ready;");
        Map<String, Object> paint = (Map<String, Object>) browser.js("return window.__walk.paint;");
        StringBuilder b = new StringBuilder();
        for (String s : stages) {
            b.append(String.format(Locale.ROOT, "%n  %-14s server %6s ms, browser %5.1f ms, from the change %7.1f ms (%6.1f ms after stage 1)", s,
                    browser.find("#" + s).getAttribute("data-ms"), ((Number) paint.get(s)).doubleValue(), ((Number) ready.get(s)).doubleValue(),
                    ((Number) ready.get(s)).doubleValue() - ((Number) ready.get(stages.getFirst())).doubleValue()));
        }
        return b.toString();
    }

    /**
     * The 24-layer test model, or the model file named by {@code -Dgptlens.walk.model} (the render
     * figures of docs/benchmarks.md were taken so on a Qwen2.5-0.5B-shaped model).
     */
    /** The norm of row {@code id} of {@code token_embd.weight}, decoded from the file's own bytes (F32 or F16). */
    static double embeddingRowNorm(Path file, int id) throws java.io.IOException {
        try (GgufFile g = GgufFile.open(file); var ch = java.nio.channels.FileChannel.open(file)) {
            TensorInfo t = g.tensor("token_embd.weight").orElseThrow();
            int d = (int) t.shape()[0];
            int width = switch (t.type()) {
                case F32 -> 4;
                case F16 -> 2;
                default -> throw new AssertionError("the test reads F32 or F16 rows, not " + t.type());
            };
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(d * width).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            ch.read(b, g.dataOffset() + t.offset() + (long) id * d * width);
            b.flip();
            double sum = 0;
            for (int i = 0; i < d; i++) {
                double v = width == 4 ? b.getFloat() : Float.float16ToFloat(b.getShort());
                sum += v * v;
            }
            return Math.sqrt(sum);
        }
    }

    @Test
    void walksA24LayerModelWithQwen2sVocabulary() throws Exception {
        String other = System.getProperty("gptlens.walk.model");
        Path file = other != null ? Path.of(other) : InternalsApiTest.modelFile();
        browser.driver.get(root + "walk");
        awaitWalk(); // on stories260K; the model loaded now must be offered without a reload
        String id = given().header("Authorization", "Bearer test-secret").contentType(ContentType.JSON).body(Map.of("path", file.toAbsolutePath().toString()))
                .post("/api/models").then().statusCode(201).extract().jsonPath().getString("id");
        loaded = id;
        Map<String, Object> info = given().get("/api/models/" + id).then().statusCode(200).extract().jsonPath().getMap("");
        int d = (Integer) info.get("n_embd");
        int vocab = (Integer) info.get("n_vocab");
        browser.await(30, drv -> {
            browser.choose("#walk-model", id);
            return browser.driver.getCurrentUrl().contains("model=" + id);
        });
        browser.await(120, drv -> STAGES.stream().allMatch(this::ready)
                && drv.findElements(By.cssSelector("#layer-grid tr")).size() == (Integer) info.get("n_layer") + 1);
        assertEquals((int) (Integer) info.get("n_layer"), browser.driver.findElements(By.cssSelector("#layer-grid tr")).size() - 1);
        assertEquals((int) (Integer) info.get("n_head"), browser.driver.findElements(By.cssSelector("#heads img.head")).size());
        assertTrue(browser.find("#wu-shape").getText().startsWith(String.format(Locale.ROOT, "W_U: %,d × %,d = %,d", d, vocab, (long) d * vocab)),
                browser.find("#wu-shape").getText());
        String times = "";
        int tokens = 0;
        String prompt = "";
        for (int round = 0; round < 2; round++) { // the first change warms the JVM's code up; the second is what a user sees from then on
            prompt = (round == 0 ? "A" : "The") + " quick brown fox jumps over the lazy dog near the quiet river bank. ".repeat(8);
            watchStages(STAGES);
            browser.js("const t = document.querySelector('#walk-prompt input'); t.value = arguments[0]; t.dispatchEvent(new Event('input', {bubbles: true}));"
                    + "t.dispatchEvent(new Event('change', {bubbles: true}));", prompt);
            times = stageTimes(STAGES);
            awaitWalk();
            tokens = browser.driver.findElements(By.cssSelector("#stage-tokens .chip")).size();
        }
        browser.click(browser.find("#heads img.head[data-head='3']"));
        browser.await(10, drv -> drv.findElements(By.cssSelector("#head-map img.head-large")).size() == 1);
        // over 48 tokens the whole pattern is a picture and the last 48 a labelled table: a header row and 48 query rows
        assertEquals(49, browser.driver.findElements(By.cssSelector("#head-map tr")).size());
        assertTrue(browser.driver.findElements(By.cssSelector("#head-map tr:last-child td[data-w]")).getLast().getAttribute("title")
                .contains("(" + (tokens - 1) + ") → key"), "the last query is the prompt's last token");
        watchStages(List.of("stage-softmax", "stage-sample"));
        temperature(2.5);
        String tTimes = stageTimes(List.of("stage-softmax", "stage-sample"));
        // the bars at T = 2.5 against the model's own log-probabilities: their ratios are exp((lp_i - lp_top) / 2.5)
        Map<Integer, Double> lp = modelLogprobs(id, prompt);
        int top = Integer.parseInt(bars().getFirst().getAttribute("data-id"));
        double pTop = Double.parseDouble(bars().getFirst().getAttribute("data-p"));
        for (WebElement bar : bars()) {
            int bid = Integer.parseInt(bar.getAttribute("data-id"));
            assertTrue(lp.containsKey(bid), "bar " + bid + " is among the model's top 10 " + lp.keySet());
            assertEquals(Math.exp((lp.get(bid) - lp.get(top)) / 2.5), Double.parseDouble(bar.getAttribute("data-p")) / pTop, 1e-3, "token " + bid + " at T = 2.5");
        }
        List<Integer> chipIds = browser.driver.findElements(By.cssSelector("#stage-tokens .chip")).stream()
                .map(c -> Integer.parseInt(c.getAttribute("data-id"))).toList();
        // 2. each strip's norm against the row read from the file's bytes
        List<WebElement> strips = browser.driver.findElements(By.cssSelector("#stage-vectors .strip-row"));
        assertEquals(48, strips.size(), "the first 48 rows");
        for (WebElement row : strips) {
            int pos = Integer.parseInt(row.getAttribute("data-pos"));
            String shown = row.findElement(By.cssSelector(".strip-norm")).getAttribute("textContent"); // rows below the fold have no getText()
            assertEquals(String.format(Locale.ROOT, "‖x‖ %.3f", embeddingRowNorm(file, chipIds.get(pos))), shown, "the row of token " + chipIds.get(pos));
        }
        // 3. every cell of the layer grid against the internals API's residual norms
        JsonPath internals = given().contentType(ContentType.JSON).body(Map.of("model", id, "prompt", prompt)).post("/api/internals")
                .then().statusCode(200).extract().jsonPath();
        int shownTokens = Math.min(32, tokens);
        assertEquals((int) (Integer) info.get("n_layer") * shownTokens, browser.driver.findElements(By.cssSelector("#layer-grid td[data-layer]")).size(),
                "24 layers × the last 32 tokens");
        List<WebElement> cells = browser.driver.findElements(By.cssSelector("#layer-grid td[data-layer][data-norm]"));
        // the last layer is computed for the output position only
        assertEquals(((Integer) info.get("n_layer") - 1) * shownTokens + 1, cells.size(), "cells with a norm");
        for (WebElement td : cells) {
            int l = Integer.parseInt(td.getAttribute("data-layer"));
            int pos = Integer.parseInt(td.getAttribute("data-pos"));
            double want = internals.getDouble("residual_norms[" + l + "][" + pos + "]");
            assertEquals(want, Double.parseDouble(td.getAttribute("data-norm")), 1e-3 + 1e-4 * want, "layer " + l + ", position " + pos);
        }
        // 6. one "Next token" step at T = 0 appends the argmax
        temperature(0);
        int argmax = Integer.parseInt(bars().getFirst().getAttribute("data-id"));
        assertEquals(1.0, Double.parseDouble(bars().getFirst().getAttribute("data-p")), 1e-9);
        browser.await(20, drv -> browser.find("#picked").getText().contains("(id " + argmax + ")"));
        browser.click(browser.find("#next-token"));
        int before = tokens;
        browser.await(60, drv -> drv.findElements(By.cssSelector("#stage-tokens .chip")).size() == before + 1);
        assertEquals(Integer.toString(argmax), browser.driver.findElements(By.cssSelector("#stage-tokens .chip")).getLast().getAttribute("data-id"));
        awaitWalk();
        System.out.printf("The walk, %s: %s layers × %s heads, %,d × %,d, %d tokens, in Chromium (prompt changed):%s%n"
                + "Temperature moved to 2.5:%s%n", file.getFileName(), info.get("n_layer"), info.get("n_head"), vocab, d, tokens, times, tTimes);
        browser.screenshot(Path.of("target", "screenshots", "walk-24-layers.png"));
    }
}
