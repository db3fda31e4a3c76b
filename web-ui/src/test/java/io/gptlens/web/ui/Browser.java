package io.gptlens.web.ui;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.fail;

/** A real headless Chromium (Debian's chromium and chromium-driver) driven by Selenium. */
public final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    public final WebDriver driver;
    private final Path profile;

    private Browser(WebDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts Chromium, or skips the test (fails under CI) when it is not installed. */
    public static Browser start() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            String msg = "Chromium or chromedriver missing (" + CHROMIUM + ", " + DRIVER + "): apt-get install chromium chromium-driver";
            if ("true".equals(System.getenv("CI"))) {
                fail(msg);
            }
            Assumptions.abort(msg);
        }
        Path profile = Files.createTempDirectory("gptlens-chromium");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1400,1100", "--user-data-dir=" + profile);
        // no password manager: after a password field (the admin token) it would offer to save or check the password
        o.setExperimentalOption("prefs", java.util.Map.of("credentials_enable_service", false, "profile.password_manager_enabled", false,
                "profile.password_manager_leak_detection", false));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER.toString())).build();
        return new Browser(new ChromeDriver(service, o), profile);
    }

    /** Waits up to {@code seconds} for a condition. */
    public <T> T await(int seconds, Function<WebDriver, T> until) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds)).pollingEvery(Duration.ofMillis(100))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(until);
    }

    /** True while the page's Vaadin client has a request to the server in flight (Flow's own {@code isActive()}). */
    public boolean serverBusy() {
        return Boolean.TRUE.equals(js("const c = window.Vaadin && window.Vaadin.Flow && window.Vaadin.Flow.clients;"
                + " return !!c && Object.values(c).some(x => typeof x.isActive === 'function' && x.isActive());"));
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /**
     * True unless the Vaadin component {@code css} is disabled. WebElement.isEnabled() cannot tell:
     * WebDriver counts only native form controls as ever disabled, so a vaadin-button is always "enabled".
     */
    public boolean enabled(String css) {
        return Boolean.TRUE.equals(js("const e = document.querySelector(arguments[0]); return !!e && !e.hasAttribute('disabled');", css));
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Scrolls an element into the middle of the window and clicks it. */
    public void click(WebElement e) {
        js("arguments[0].scrollIntoView({block: 'center'});", e);
        e.click();
    }

    /** Chooses the item labelled {@code label} in a vaadin-select (opens it, clicks the item). */
    public void choose(String selectCss, String label) {
        // no overlay of an earlier choice may still be open (or closing) where this click lands
        await(10, d -> (Boolean) js("return !document.querySelector('vaadin-select-overlay[opened]') && ![...document.querySelectorAll('vaadin-select')].some(s => s.opened);"));
        click(find(selectCss));
        await(10, d -> (Boolean) js("return [...document.querySelectorAll('vaadin-select-item')].some(i => i.textContent.trim() === arguments[0]);", label));
        js("[...document.querySelectorAll('vaadin-select-item')].find(i => i.textContent.trim() === arguments[0]).click();", label);
        await(10, d -> (Boolean) js("return ![...document.querySelectorAll('vaadin-select')].some(s => s.opened);"));
    }

    /** Sets a Vaadin field's value the way typing would, and commits it. */
    public void type(String css, String text) {
        WebElement input = find(css);
        js("arguments[0].scrollIntoView({block: 'center'});", input);
        input.clear();
        input.sendKeys(text);
        js("arguments[0].dispatchEvent(new Event('change', {bubbles: true}));", input);
        input.sendKeys(org.openqa.selenium.Keys.TAB); // leave the field, as a person does: the value is committed
    }

    /** Empties a Vaadin field (the element itself, e.g. {@code #admin-token}) and commits it. */
    public void clear(String fieldCss) {
        js("const f = document.querySelector(arguments[0]); f.value = ''; f.dispatchEvent(new Event('change', {bubbles: true}));", fieldCss);
        await(10, d -> "".equals(js("return document.querySelector(arguments[0]).value;", fieldCss)));
    }

    /** Saves a PNG screenshot. */
    public void screenshot(Path file) throws Exception {
        js("document.querySelectorAll('vaadin-dev-tools, copilot-main').forEach(e => e.remove());"); // the dev-mode badge
        byte[] png = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(org.openqa.selenium.OutputType.BYTES);
        Files.createDirectories(file.getParent());
        Files.write(file, png);
    }

    @Override
    public void close() {
        driver.quit();
        try (var s = Files.walk(profile)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // a temporary profile
        }
    }
}
