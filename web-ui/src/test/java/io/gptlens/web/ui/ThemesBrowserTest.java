package io.gptlens.web.ui;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.net.URL;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every page in the light and the dark theme, in real Chromium: the header's switch turns the page's
 * background dark (its computed colour, not a class name), the choice survives moving to another
 * page and a reload, and each page is photographed in both themes ({@code target/screenshots/pages/},
 * copied to {@code docs/screenshots/} for the README).
 */
@QuarkusTest
class ThemesBrowserTest extends BrowserTestBase {

    static final List<String> PAGES = List.of("walk", "playground", "models", "explorer", "patching", "plugins", "train");

    @TestHTTPResource("/")
    URL root;

    /** The relative luminance (0 black, 1 white) of the page's background. */
    private double background() {
        String rgb = (String) browser.js("return getComputedStyle(document.querySelector('vaadin-app-layout')).backgroundColor"
                + " !== 'rgba(0, 0, 0, 0)' ? getComputedStyle(document.querySelector('vaadin-app-layout')).backgroundColor"
                + " : getComputedStyle(document.documentElement).backgroundColor;");
        String[] c = rgb.replaceAll("[^0-9.,]", "").split(",");
        return (0.2126 * Double.parseDouble(c[0]) + 0.7152 * Double.parseDouble(c[1]) + 0.0722 * Double.parseDouble(c[2])) / 255;
    }

    private void open(String page) {
        // the walk is photographed whole: all six stages
        browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, page.equals("walk") ? 2100 : 1100));
        browser.driver.get(root + page);
        browser.await(60, d -> d.findElements(By.id("theme-toggle")).size() == 1);
        switch (page) { // each page photographed with something in it
            case "walk" -> browser.await(60, d -> "ready".equals(browser.find("#stage-sample").getAttribute("data-state")));
            case "playground" -> {
                browser.await(60, d -> d.findElements(By.cssSelector("#prompt textarea")).size() == 1);
                browser.type("#prompt textarea", "Once upon a time");
                browser.await(30, d -> d.findElements(By.cssSelector("#distribution .dist-row[data-id]")).size() == 10);
            }
            case "explorer" -> {
                browser.await(60, d -> d.findElements(By.cssSelector("#neighbor-query input")).size() == 1);
                browser.await(60, d -> "ready".equals(browser.find("#index-status").getAttribute("data-state")));
                browser.type("#neighbor-query input", "#432");
                browser.click(browser.find("#neighbors-go"));
                browser.await(30, d -> d.findElements(By.cssSelector("#scatter svg g")).size() > 1);
            }
            case "patching" -> {
                browser.await(60, d -> d.findElements(By.id("trace-go")).size() == 1 && !browser.find("#patching-model").getText().isBlank());
                browser.click(browser.find("#trace-go"));
                browser.await(60, d -> !d.findElements(By.cssSelector("#trace td[data-recovered]")).isEmpty() && browser.find("#trace-go").isEnabled());
                browser.click(browser.find("#dla-go"));
                browser.await(60, d -> !d.findElements(By.cssSelector("#attribution .dla-row")).isEmpty() && browser.find("#dla-go").isEnabled());
            }
            default -> { }
        }
    }

    /**
     * What makes the page scroll sideways: empty when neither the document nor the layout's content
     * area is wider than it shows, else the elements that reach furthest right.
     */
    private String overflow() {
        return (String) browser.js("""
                const layout = document.querySelector('vaadin-app-layout');
                const content = layout && layout.shadowRoot && layout.shadowRoot.querySelector('[content]');
                const scrollers = [document.scrollingElement, content].filter(e => e && e.scrollWidth > e.clientWidth + 1);
                if (scrollers.length === 0) return '';
                const w = scrollers[0].getBoundingClientRect().right;
                return [...document.querySelectorAll('body *')].map(e => [e, e.getBoundingClientRect()])
                    .filter(([e, r]) => r.width > 0 && r.right > w + 1)
                    .sort((a, b) => a[1].width - b[1].width).slice(0, 6)
                    .map(([e, r]) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.') + ' to ' + Math.round(r.right) + ' of ' + Math.round(w))
                    .join(' | ');""");
    }

    @Test
    void everyPageInBothThemes() throws Exception {
        browser.driver.get(root + "walk");
        browser.js("localStorage.removeItem('gptlens-theme');");
        for (String theme : List.of("light", "dark")) {
            for (String page : PAGES) {
                open(page);
                if (page.equals(PAGES.getFirst())) {
                    String now = (String) browser.js("return document.documentElement.getAttribute('theme') || 'light';");
                    if (!now.equals(theme)) {
                        browser.js("document.querySelectorAll('vaadin-dev-tools, copilot-main').forEach(e => e.remove());"); // dev mode's overlay
                        browser.click(browser.find("#theme-toggle"));
                    }
                }
                browser.await(10, d -> theme.equals(browser.js("return document.documentElement.getAttribute('theme') || 'light';")));
                double lum = background();
                assertTrue(theme.equals("dark") ? lum < 0.3 : lum > 0.7, page + " in the " + theme + " theme has a background of luminance " + lum);
                assertEquals("", overflow(), page + " is wider than the window");
                Thread.sleep(300); // let the theme's transition settle before the photograph
                browser.screenshot(Path.of("target", "screenshots", "pages", page + "-" + theme + ".png"));
            }
        }
        browser.driver.navigate().refresh();
        browser.await(60, d -> d.findElements(By.id("theme-toggle")).size() == 1);
        assertEquals("dark", browser.js("return document.documentElement.getAttribute('theme');"), "the choice survives a reload");
        browser.js("document.querySelectorAll('vaadin-dev-tools, copilot-main').forEach(e => e.remove());");
        browser.click(browser.find("#theme-toggle"));
        browser.await(10, d -> !"dark".equals(browser.js("return document.documentElement.getAttribute('theme');")));
    }
}
