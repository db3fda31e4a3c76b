package io.gptlens.web.ui;

import io.gptlens.web.api.ChatmlProfile;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The playground's text lab in real Chromium: a scored text's chips and perplexity against the
 * API's {@code echo} scores (themselves checked against a direct computation in
 * PromptScoringTest), and chat mode's rendered prompt and tokens against {@code /apply-template}
 * and {@code /tokenize}.
 */
@QuarkusTest
@TestProfile(ChatmlProfile.class)
class TextLabBrowserTest extends BrowserTestBase {

    @TestHTTPResource("/")
    URL root;

    @Test
    void scoresATextAndRendersAChat() throws Exception {
        browser.driver.get(root.toString() + "playground");
        browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
        browser.await(30, d -> !browser.find("#model-select").getText().isBlank());
        browser.js("document.getElementById('text-lab').opened = true;");
        String text = "Once upon a time, there was a little girl named Lily.";
        browser.click(browser.find("#score"));
        browser.await(30, d -> browser.find("#perplexity").getText().startsWith("Perplexity"));

        JsonPath scores = given().contentType("application/json").body(Map.of("prompt", text, "echo", true, "logprobs", 0, "max_tokens", 0))
                .post("/v1/completions").then().statusCode(200).extract().jsonPath();
        List<Object> lps = scores.getList("choices[0].logprobs.token_logprobs");
        double sum = 0;
        for (Object lp : lps.subList(1, lps.size())) {
            sum += ((Number) lp).doubleValue();
        }
        String expected = String.format(Locale.ROOT, "Perplexity %.3f over %d predicted tokens", Math.exp(-sum / (lps.size() - 1)), lps.size() - 1);
        assertEquals(expected, browser.find("#perplexity").getText().substring(0, expected.length()));
        assertEquals(lps.size(), browser.driver.findElements(By.cssSelector("#scored .chip")).size());

        browser.click(browser.find("#render-chat"));
        String want = given().contentType("application/json").body(Map.of("messages", List.of(
                        Map.of("role", "system", "content", "You are a storyteller."), Map.of("role", "user", "content", "Tell me about Lily."))))
                .post("/apply-template").then().statusCode(200).extract().jsonPath().getString("prompt");
        browser.await(30, d -> !browser.find("#chat-prompt").getText().isBlank());
        assertEquals(want.strip(), browser.find("#chat-prompt").getText().strip());
        int tokens = given().contentType("application/json").body(Map.of("content", want, "add_special", true)).post("/tokenize").then()
                .statusCode(200).extract().jsonPath().getList("tokens").size();
        assertEquals(tokens, browser.driver.findElements(By.cssSelector("#chat-tokens .chip")).size());
        browser.screenshot(Path.of("target", "screenshots", "text-lab.png"));
    }
}
