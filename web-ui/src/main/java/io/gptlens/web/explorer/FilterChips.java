package io.gptlens.web.explorer;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.shared.Registration;
import io.gptlens.web.explorer.index.EmbeddingIndex;

/**
 * The explorer's result filters as chips that toggle: whole words only, alphabetic only, no
 * special or byte tokens. Each chip carries {@code aria-pressed}; a change fires {@link Changed}.
 */
public class FilterChips extends Div {

    /** A chip was switched. */
    public static class Changed extends ComponentEvent<FilterChips> {
        Changed(FilterChips source) {
            super(source, true);
        }
    }

    private final Button words = chip("filter-words", "whole words", "only tokens that start a word");
    private final Button alpha = chip("filter-alpha", "letters only", "only tokens made of letters");
    private final Button special = chip("filter-special", "no special or byte tokens", "hide control, byte and unused tokens");

    public FilterChips() {
        addClassName("filter-chips");
        add(words, alpha, special);
    }

    private Button chip(String id, String label, String tip) {
        Button b = new Button(label);
        b.setId(id);
        b.addClassName("filter-chip");
        b.addThemeVariants(ButtonVariant.LUMO_SMALL);
        b.setTooltipText(tip);
        b.getElement().setAttribute("aria-pressed", "false");
        b.addClickListener(e -> {
            set(b, !on(b));
            fireEvent(new Changed(this));
        });
        return b;
    }

    private static boolean on(Button b) {
        return "true".equals(b.getElement().getAttribute("aria-pressed"));
    }

    private static void set(Button b, boolean on) {
        b.getElement().setAttribute("aria-pressed", Boolean.toString(on));
        if (on) {
            b.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        } else {
            b.removeThemeVariants(ButtonVariant.LUMO_PRIMARY);
        }
    }

    /** The filter the chips describe. */
    public EmbeddingIndex.Filter filter() {
        return new EmbeddingIndex.Filter(on(words), on(alpha), on(special));
    }

    public Registration addChangedListener(ComponentEventListener<Changed> l) {
        return addListener(Changed.class, l);
    }
}
