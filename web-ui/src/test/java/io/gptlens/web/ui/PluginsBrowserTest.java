package io.gptlens.web.ui;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.net.URL;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /plugins lists the example plugins, and a plugin sampler added to the playground's chain generates. */
@QuarkusTest
class PluginsBrowserTest extends BrowserTestBase {

    @TestHTTPResource("/")
    URL root;

    private String gridText() {
        return (String) browser.js("return [...document.querySelectorAll('#plugins-grid vaadin-grid-cell-content')]"
                + ".map(c => c.textContent.trim()).join(' | ');");
    }

    @Test
    void examplePluginsAreListedAndOneGeneratesInThePlayground() throws Exception {
        browser.driver.get(root.toString() + "plugins");
        browser.await(60, d -> gridText().contains("top-a"));
        String t = gridText();
        for (String name : new String[]{"top-a", "eta", "tail-free", "temperature-schedule"}) {
            assertTrue(t.contains(name), name + " in " + t);
        }
        assertTrue(t.contains("gptlens-plugin-sampler-top-a") || t.contains("classpath"), t);
        browser.screenshot(Path.of("target", "screenshots", "plugins.png"));

        browser.driver.get(root.toString() + "playground");
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.type("#prompt textarea", "Once upon a time");
        browser.await(20, d -> d.findElements(By.cssSelector("#alt-432")).size() == 1);
        browser.js("document.querySelector('#chain-details').opened = true;");
        browser.choose("#chain-add", "top-a");
        browser.await(10, d -> d.findElements(By.cssSelector("#pipeline tr[data-stage='top-a']")).size() == 1);
        // a chain that does not end in a picker gets dist (seeded)
        browser.js("document.querySelectorAll('vaadin-select').forEach(s => s.opened = false);");
        browser.type("#max-tokens input", "6");
        browser.click(browser.find("#generate"));
        String[] last = {""};
        try {
            browser.await(60, d -> (last[0] = browser.find("#status").getText()).contains("max tokens"));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("status stayed '" + last[0] + "'; runs: " + browser.find("#runs").getText(), e);
        }
        assertTrue(browser.find("#status").getText().startsWith("6 tokens"), browser.find("#status").getText());
        assertTrue(browser.driver.findElement(By.id("run-1")).getText().contains("top-a [0.2]"), "the run records the plugin stage");
        String javaRun = outputText();

        // the same chain run by llama.cpp, the plugin called back through an upcall: same seed, same tokens
        browser.click(browser.find("#native-chain"));
        browser.click(browser.find("#generate"));
        browser.await(60, d -> d.findElements(By.id("run-2")).size() == 1 && browser.find("#status").getText().contains("max tokens"));
        assertTrue(browser.find("#status").getText().startsWith("6 tokens"), browser.find("#status").getText());
        assertTrue(String.valueOf(browser.find("#run-2 span").getAttribute("title")).contains("(run by llama.cpp)"),
                "the run records who ran the chain");
        assertEquals(javaRun, outputText());
    }

    private String outputText() {
        return String.join("", browser.driver.findElements(By.cssSelector("#output .tok")).stream().map(e -> e.getText()).toList());
    }

    @jakarta.inject.Inject
    io.gptlens.web.plugins.PluginManager plugins;

    /** llama.cpp's tokenizer that never adds the start token: a tokenizer plugin that cuts differently from the model's own. */
    static final String NO_BOS = io.gptlens.web.plugins.PluginsTest.tokenizerPlugin("NoBos", "no-bos", "return t.encode(s, false, p);");

    private java.util.List<Integer> chipIds() {
        return browser.driver.findElements(By.cssSelector("#tokens .chip")).stream()
                .map(e -> Integer.parseInt(e.getAttribute("data-id"))).toList();
    }

    @Test
    void aTokenizerPluginCutsThePromptAndGenerationStartsFromItsTokens() throws Exception {
        java.nio.file.Path jar = io.gptlens.web.plugins.PluginsTest.buildJar(java.nio.file.Files.createTempDirectory("plugin-build"),
                "no-bos.jar", "NoBos", NO_BOS, "io.gptlens.core.tokenizer.TokenizerProvider");
        browser.driver.get(root.toString() + "playground");
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.type("#prompt textarea", "Once upon a time");
        browser.await(20, d -> chipIds().equals(java.util.List.of(1, 403, 407, 261, 378)));
        try (var dropped = io.gptlens.web.plugins.PluginsTest.dropIn(plugins, jar)) {
            // the open tab offers the new tokenizer as soon as the plugin is loaded
            browser.await(30, d -> (Boolean) browser.js("return [...document.querySelectorAll('#tokenizer-select vaadin-select-item')]"
                    + ".some(i => i.textContent.trim() === 'no-bos');"));
            browser.choose("#tokenizer-select", "no-bos");
            browser.await(20, d -> chipIds().equals(java.util.List.of(403, 407, 261, 378)));
            assertEquals("Differs from the model's own tokenizer: 4 vs 5 tokens, first at token 0", browser.find("#tokenizer-note").getText());
            browser.type("#max-tokens input", "3");
            browser.click(browser.find("#generate"));
            browser.await(60, d -> browser.find("#status").getText().contains("max tokens"));
            assertTrue(String.valueOf(browser.find("#run-1 span").getAttribute("title")).contains("prompt tokens [403, 407, 261, 378]"),
                    "generation started from the plugin's tokens");
        }
    }

    private void upload(java.nio.file.Path jar) {
        org.openqa.selenium.WebElement input = browser.find("#plugin-upload").getShadowRoot().findElement(By.cssSelector("input[type=file]"));
        browser.js("arguments[0].value = '';", input); // chromedriver adds to a multiple input's files: start empty
        input.sendKeys(jar.toString());
    }

    @Test
    void aJarIsUploadedAndRemovedOnThePluginsPageWithTheAdminToken() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("plugin-build");
        java.nio.file.Path jar = io.gptlens.web.plugins.PluginsTest.buildJar(dir, "keep-two.jar", true);
        try {
            browser.driver.get(root.toString() + "plugins");
            browser.await(60, d -> gridText().contains("top-a"));
            browser.clear("#admin-token"); // the session may remember the token from another test
            upload(jar);
            browser.await(20, d -> browser.find("#plugins-message").getText().contains("refused"));
            assertTrue(browser.find("#plugins-message").getText().contains("admin token"), browser.find("#plugins-message").getText());
            assertTrue(!gridText().contains("keep-two"), "nothing was kept");

            browser.type("#admin-token input", "test-secret");
            upload(jar);
            browser.await(20, d -> gridText().contains("keep-two"));
            assertTrue(browser.find("#plugins-message").getText().startsWith("Uploaded keep-two.jar"), browser.find("#plugins-message").getText());
            browser.click(browser.find("#remove-keep-two\\.jar"));
            browser.await(20, d -> !gridText().contains("keep-two"));
            assertEquals("Removed keep-two.jar", browser.find("#plugins-message").getText());
            assertTrue(!java.nio.file.Files.exists(plugins.folder().resolve("keep-two.jar")));
        } finally {
            java.nio.file.Path uploaded = plugins.folder().resolve("keep-two.jar");
            java.nio.file.Files.deleteIfExists(uploaded);
            io.gptlens.web.plugins.PluginsTest.await(() -> plugins.jar(uploaded).isEmpty());
        }
    }

    @Test
    void aSamplersDefaultsAreSetOnThePluginsPageAndTheChainEditorStartsFromThem() throws Exception {
        try {
            browser.driver.get(root.toString() + "plugins");
            browser.await(60, d -> gridText().contains("top-a"));
            browser.type("#admin-token input", "test-secret");
            browser.click(browser.find("#configure-top-a"));
            browser.await(10, d -> d.findElements(By.cssSelector("#config-a input")).size() == 1);
            browser.type("#config-a input", "0.5");
            browser.screenshot(Path.of("target", "screenshots", "plugins-configure.png"));
            browser.click(browser.find("#config-save"));
            browser.await(10, d -> gridText().contains("a = 0.5"));
            assertEquals(java.util.Map.of("a", 0.5), plugins.configuration("top-a"));

            browser.driver.get(root.toString() + "playground");
            browser.await(60, d -> d.findElements(By.cssSelector("#chain-add")).size() == 1);
            browser.js("document.querySelector('#chain-details').opened = true;");
            browser.choose("#chain-add", "top-a");
            browser.await(10, d -> d.findElements(By.cssSelector("#chain-stage-0 vaadin-number-field")).size() >= 1);
            assertEquals("0.5", browser.js("return String(document.querySelector('#chain-stage-0 vaadin-number-field').value);"));
        } finally {
            plugins.configure("top-a", java.util.Map.of());
        }
    }

    @Test
    void aDroppedInPluginCanBeSwitchedOffAndOn() throws Exception {
        java.nio.file.Path jar = io.gptlens.web.plugins.PluginsTest.buildJar(java.nio.file.Files.createTempDirectory("plugin-build"), "keep-two.jar", true);
        // a playground tab open before the jar arrives offers its sampler as soon as it is loaded
        browser.driver.get(root.toString() + "playground");
        browser.await(60, d -> d.findElements(By.cssSelector("#chain-add")).size() == 1);
        browser.js("document.querySelector('#chain-details').opened = true;");
        try (var dropped = io.gptlens.web.plugins.PluginsTest.dropIn(plugins, jar)) {
            browser.await(30, d -> (Boolean) browser.js("return [...document.querySelectorAll('#chain-add vaadin-select-item')]"
                    + ".some(i => i.textContent.trim() === 'keep-two');"));
            browser.choose("#chain-add", "keep-two");
            browser.await(10, d -> d.findElements(By.cssSelector("#pipeline tr[data-stage='keep-two']")).size() == 1);

            browser.driver.get(root.toString() + "plugins");
            browser.await(30, d -> {
                if (!gridText().contains("keep-two")) {
                    browser.click(browser.find("#plugins-refresh"));
                    return false;
                }
                return true;
            });
            browser.clear("#admin-token");
            browser.click(browser.find("#disable-keep-two"));
            browser.await(10, d -> browser.find("#plugins-message").getText().contains("needs the admin token"));
            assertTrue(browser.find("#plugins-message").getText().contains("type it into the Admin token field"));
            assertTrue(!plugins.disabled().contains("keep-two"), "nothing was switched off");
            browser.type("#admin-token input", "test-secret");
            browser.click(browser.find("#disable-keep-two"));
            browser.await(10, d -> d.findElements(By.id("enable-keep-two")).size() == 1);
            assertTrue(gridText().contains("disabled"), gridText());
            browser.click(browser.find("#enable-keep-two"));
            browser.await(10, d -> d.findElements(By.id("disable-keep-two")).size() == 1);
        }
    }
}
