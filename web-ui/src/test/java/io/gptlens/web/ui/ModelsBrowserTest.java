package io.gptlens.web.ui;

import io.gptlens.web.models.ModelServer;
import io.gptlens.web.models.ModelRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The models page in real Chromium: a download with progress from a local server, then the model's anatomy. */
@QuarkusTest
class ModelsBrowserTest extends BrowserTestBase {

    @TestHTTPResource("/models")
    URL page;

    @Inject
    ModelRegistry registry;


    @Test
    void downloadWithProgressThenAnatomy() throws Exception {
        byte[] body = Files.readAllBytes(Path.of(System.getProperty("gptlens.shared.dir", "../shared"), "models", "stories260K.gguf"));
        String name = "tinystories-" + System.nanoTime();
        try (ModelServer server = new ModelServer(body).pace(60)) {
            browser.driver.get(page.toString());
            browser.await(60, d -> d.findElements(By.cssSelector("#download-url input")).size() == 1);
            browser.type("#download-url input", server.url(name + ".gguf"));
            browser.clear("#admin-token");
            browser.click(browser.find("#download"));
            browser.await(10, d -> browser.find("#download-status").getText().contains("Downloading a model needs the admin token"));
            browser.type("#admin-token input", "test-secret");
            browser.click(browser.find("#download"));
            List<String> seen = new ArrayList<>();
            browser.await(60, d -> {
                String s = browser.find("#download-status").getText();
                if (!s.isEmpty() && (seen.isEmpty() || !seen.getLast().equals(s))) {
                    seen.add(s);
                }
                return d.findElements(By.id("anatomy-" + name)).size() == 1;
            });
            assertTrue(seen.stream().anyMatch(s -> s.matches(".* of 1\\.1 MB · .*/s · \\d+ s left · downloading")), String.join("\n", seen));
            browser.screenshot(Path.of("target", "screenshots", "models-download.png"));
            browser.await(30, d -> browser.find("#anatomy").getText().contains("Anatomy of " + name));
            String anatomy = browser.find("#anatomy").getText();
            assertTrue(anatomy.contains("Embedding: d_embd × n_vocab = 64 × 512 = 32,768"), anatomy);
            assertTrue(anatomy.contains("W_U: tied to W_E") || anatomy.contains("W_U: 512 rows"), anatomy);
            assertTrue(anatomy.contains("Layers: 5"), anatomy);
            browser.js("document.querySelector('#anatomy').scrollIntoView({block: 'start'});"); // it is below the forms
            browser.screenshot(Path.of("target", "screenshots", "models-anatomy.png"));
        } finally {
            registry.unload(name);
        }
    }

    @Test
    void uploadAGgufFileAndRefuseAnotherKind() throws Exception {
        Path dir = Files.createTempDirectory("gptlens-upload");
        String name = "uploaded-" + System.nanoTime();
        Path file = dir.resolve(name + ".gguf");
        Files.copy(Path.of(System.getProperty("gptlens.shared.dir", "../shared"), "models", "stories260K.gguf"), file);
        Path junk = dir.resolve("junk-" + System.nanoTime() + ".gguf");
        Files.writeString(junk, "<html>definitely not a model</html>");
        try {
            browser.driver.get(page.toString());
            browser.await(60, d -> d.findElements(By.id("upload")).size() == 1);
            browser.type("#admin-token input", "test-secret");
            var input = browser.find("#upload").getShadowRoot().findElement(By.cssSelector("input[type=file]"));
            input.sendKeys(junk.toString());
            browser.await(30, d -> browser.find("#models-message").getText().contains("refused"));
            assertTrue(browser.find("#models-message").getText().contains("not a GGUF file"), browser.find("#models-message").getText());
            browser.driver.get(page.toString());
            browser.await(60, d -> d.findElements(By.id("upload")).size() == 1);
            browser.find("#upload").getShadowRoot().findElement(By.cssSelector("input[type=file]")).sendKeys(file.toString());
            browser.await(60, d -> d.findElements(By.id("anatomy-" + name)).size() == 1);
            assertTrue(registry.get(name).isPresent());
        } finally {
            registry.unload(name);
            Files.deleteIfExists(registry.modelsFolder().resolve(name + ".gguf"));
        }
    }
}
