package io.gptlens.web.ui;

import io.gptlens.web.training.TrainingService;
import io.gptlens.web.training.TrainingStatus;
import io.gptlens.web.training.WithBuiltinGpt;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.net.URL;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /train} in a real Chromium: a tiny run's curves and a checkpoint's sample appear; the playground generates from the built-in GPT. */
@QuarkusTest
@TestProfile(WithBuiltinGpt.class)
class TrainBrowserTest extends BrowserTestBase {

    @TestHTTPResource("/")
    URL root;

    @Inject
    TrainingService training;

    private void awaitNoRun(int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (training.list().stream().anyMatch(s -> s.state() == io.gptlens.web.training.TrainingState.RUNNING)) {
            assertTrue(System.nanoTime() < end, "a training run is still running: " + training.list().stream().map(TrainingStatus::id).toList());
            Thread.sleep(250);
        }
    }

    @Test
    void aTinyRunShowsItsCurvesAndASampleAndThePlaygroundGeneratesFromTheBuiltinGpt() throws Exception {
        awaitNoRun(180);
        browser.driver.get(root + "train");
        browser.await(60, d -> d.findElements(By.cssSelector("#train-start")).size() == 1);
        browser.type("#admin-token input", "test-secret");
        browser.choose("#train-preset", "tiny");
        browser.type("#train-steps input", "60");
        browser.click(browser.find("#train-start"));
        browser.await(60, d -> browser.find("#train-message").getText().startsWith("Started run-"));
        browser.await(120, d -> !d.findElements(By.cssSelector("#loss-chart polyline.train-curve")).isEmpty()
                && Integer.parseInt(d.findElement(By.cssSelector("#loss-chart polyline.train-curve")).getAttribute("data-points")) > 10);
        browser.await(120, d -> !d.findElements(By.cssSelector("#checkpoints .checkpoint-sample")).isEmpty());
        String sample = browser.find("#checkpoints .checkpoint-sample").getText();
        assertTrue(sample.startsWith("The state of the Union is"), sample);
        browser.await(60, d -> "done".equals(browser.find("#run-state").getAttribute("data-state")));
        browser.screenshot(Path.of("target/screenshots/train.png"));

        // the newest checkpoint opens in the playground as the run's model
        browser.click(browser.driver.findElements(By.xpath("//div[@id='checkpoints']//vaadin-button[normalize-space()='Open in playground']")).getFirst());
        browser.await(60, d -> d.getCurrentUrl().contains("/playground?model="));
        String opened = java.net.URLDecoder.decode(browser.driver.getCurrentUrl().replaceAll(".*[?&]model=([^&]*).*", "$1"), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(!opened.isBlank() && !opened.contains("/"), "the model named in the link: " + opened);
        browser.await(60, d -> browser.find("#model-select").getText().contains(opened));

        // the playground generates from the built-in GPT
        String builtin = training.builtinRecipe().modelName("sotu");
        browser.driver.get(root + "playground?model=" + builtin);
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.await(30, d -> browser.find("#model-select").getText().contains(builtin));
        browser.type("#prompt textarea", "The state of the");
        browser.await(20, d -> d.findElements(By.cssSelector("#tokens .chip")).size() > 1);
        browser.type("#max-tokens input", "12");
        browser.click(browser.find("#generate"));
        browser.await(60, d -> browser.find("#status").getText().contains("max tokens"));
        int n = browser.driver.findElements(By.cssSelector("#output .tok")).size();
        assertTrue(n >= 12, "generated tokens: " + n);
        browser.screenshot(Path.of("target/screenshots/playground-builtin-gpt.png"));
    }
}
