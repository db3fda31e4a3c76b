package io.gptlens.web.ui;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.shared.Registration;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Keys a page answers wherever the focus is: {@code anywhere} keys (Esc) even in a text field,
 * {@code outsideFields} keys (the arrows) only where they would not move a caret. Only those keys
 * travel to the server; the handler gets the key's name ({@code "Escape"}, {@code "ArrowLeft"}).
 */
public final class PageKeys {

    private PageKeys() {
    }

    /** Listens on {@code ui} until the registration is removed (on detach). */
    public static Registration on(UI ui, List<String> anywhere, List<String> outsideFields, Consumer<String> handler) {
        String filter = "(" + js(anywhere) + ".includes(event.key)) || (" + js(outsideFields) + ".includes(event.key)"
                + " && !['INPUT','TEXTAREA'].includes(event.composedPath()[0].tagName))";
        return ui.getElement().addEventListener("keydown", k -> handler.accept(k.getEventData().get("event.key").asString()))
                .addEventData("event.key").setFilter(filter);
    }

    private static String js(List<String> keys) {
        return keys.stream().map(k -> "'" + k.replace("'", "") + "'").collect(Collectors.joining(",", "[", "]"));
    }
}
