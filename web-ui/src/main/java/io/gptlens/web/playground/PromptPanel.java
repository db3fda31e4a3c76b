package io.gptlens.web.playground;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.progressbar.ProgressBar;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.shared.Registration;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.plugins.TokenizerRegistry;

import java.util.List;

/**
 * The prompt and its tokens: the text, its chips, the count against the context length, the
 * tokenizer that cuts it, and a link that walks the prompt through the model. Fires
 * {@link PromptChanged} when the text or the tokenizer changes, {@link Submitted} on Enter
 * (Shift+Enter is a new line).
 */
public class PromptPanel extends Div {

    /** The text or the chosen tokenizer changed: cut the prompt again. */
    public static class PromptChanged extends ComponentEvent<PromptPanel> {
        PromptChanged(PromptPanel source) {
            super(source, true);
        }
    }

    /** Enter was pressed in the prompt. */
    public static class Submitted extends ComponentEvent<PromptPanel> {
        Submitted(PromptPanel source) {
            super(source, true);
        }
    }

    private final TextArea prompt = new TextArea("Prompt");
    private final TokenStrip tokens = new TokenStrip();
    private final Select<String> tokenizer = new Select<>();
    private final Span note = new Span();
    private final ProgressBar contextBar = new ProgressBar();
    private final Span count = new Span();
    private final Anchor walk = new Anchor("walk", "Walk this prompt through the model →");

    public PromptPanel() {
        prompt.setId("prompt");
        prompt.setWidthFull();
        prompt.setValueChangeMode(ValueChangeMode.LAZY);
        prompt.setValueChangeTimeout(150);
        prompt.setPlaceholder("Type a prompt, e.g. Once upon a time");
        prompt.setTooltipText("Enter generates, Shift+Enter starts a new line, Esc stops");
        prompt.addValueChangeListener(e -> fireEvent(new PromptChanged(this)));
        // Enter submits, Shift+Enter is a new line. A listener on the field's own element rather than a shortcut: a shortcut
        // on a text area listens on its inner textarea, which a busy browser may not have made yet when the shortcut is set up,
        // and then Enter does nothing. The text comes along, since the last keystrokes may not have reached the server yet.
        prompt.getElement().addEventListener("keydown", e -> {
            String typed = e.getEventData().get("element.value").asString();
            if (!typed.equals(prompt.getValue())) {
                prompt.setValue(typed);
            }
            fireEvent(new Submitted(this));
        }).setFilter("event.key === 'Enter' && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey && !event.isComposing"
                        + " && (event.preventDefault(), true)")
                .addEventData("element.value");
        tokens.setId("tokens");
        contextBar.setId("context-bar");
        contextBar.setWidth("12em");
        count.setId("token-count");
        tokenizer.setLabel("Tokenizer");
        tokenizer.setId("tokenizer-select");
        tokenizer.setItemLabelGenerator(n -> n.equals(TokenizerRegistry.OWN) ? "the model's own" : n);
        tokenizer.setTooltipText("Cut the prompt with the model's own tokenizer (llama.cpp) or with any tokenizer, plugins included, "
                + "that reads this model's vocabulary; generation then starts from those tokens.");
        tokenizer.addValueChangeListener(e -> {
            if (e.isFromClient()) {
                fireEvent(new PromptChanged(this));
            }
        });
        note.setId("tokenizer-note");
        note.addClassName("stage-note");
        walk.setId("walk-link");
        walk.getElement().setAttribute("title", "the walk: tokens, W_E rows, every layer and head, logits, softmax, sampling, as pictures");
        HorizontalLayout row = new HorizontalLayout(count, contextBar, tokenizer, note, walk);
        row.setAlignItems(FlexComponent.Alignment.BASELINE);
        row.getStyle().set("flex-wrap", "wrap");
        add(prompt, tokens, row);
    }

    public String text() {
        return prompt.getValue();
    }

    /** The chosen tokenizer's name ({@link TokenizerRegistry#OWN} for the model's own). */
    public String tokenizer() {
        return tokenizer.getValue() == null ? TokenizerRegistry.OWN : tokenizer.getValue();
    }

    /** Offers {@code names}, keeping the choice when it is still among them. */
    public void setTokenizers(List<String> names) {
        String was = tokenizer.getValue();
        tokenizer.setItems(names);
        tokenizer.setValue(was != null && names.contains(was) ? was : TokenizerRegistry.OWN);
    }

    /** Shows the prompt's tokens, their count against {@code contextLength} and the tokenizer's note. */
    public void show(Tokenizer t, int[] ids, int contextLength, String tokenizerNote) {
        tokens.show(t, ids);
        count.setText(ids.length + " / " + contextLength + " tokens");
        contextBar.setValue(Math.min(1.0, ids.length / (double) contextLength));
        note.setText(tokenizerNote);
    }

    /** Points the walk's link at {@code href}. */
    public void walkTo(String href) {
        walk.setHref(href);
    }

    public Registration addPromptChangedListener(ComponentEventListener<PromptChanged> l) {
        return addListener(PromptChanged.class, l);
    }

    public Registration addSubmittedListener(ComponentEventListener<Submitted> l) {
        return addListener(Submitted.class, l);
    }
}
