package io.gptlens.web.walk;

import com.vaadin.flow.component.ComponentUtil;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;
import io.gptlens.web.ui.ModelChoice;

/**
 * The walk's bar: the model, the prompt and what the walk has to say. Fires
 * {@link WalkEvents.PromptEdited} when a person changes the text and {@link WalkEvents.SampleAction}
 * ({@link WalkEvents.Action#GENERATE}) on Enter, the text as typed brought along first: the lazy
 * value sync may not have sent the last keystrokes yet.
 */
class WalkBar extends Div {

    private final TextField prompt = new TextField();
    private final Span status = new Span();

    WalkBar(ModelChoice model) {
        model.setId("walk-model");
        prompt.setId("walk-prompt");
        prompt.setLabel("Prompt (Enter generates, Esc stops, ← → step through the tokens)");
        prompt.setValueChangeMode(ValueChangeMode.LAZY);
        prompt.addValueChangeListener(e -> {
            if (e.isFromClient()) {
                ComponentUtil.fireEvent(this, new WalkEvents.PromptEdited(this));
            }
        });
        prompt.getElement().addEventListener("keydown", e -> {
            String typed = e.getEventData().get("element.value").asString();
            if (!typed.equals(prompt.getValue())) {
                prompt.setValue(typed);
                ComponentUtil.fireEvent(this, new WalkEvents.PromptEdited(this));
            }
            ComponentUtil.fireEvent(this, new WalkEvents.SampleAction(this, WalkEvents.Action.GENERATE));
        }).setFilter("event.key === 'Enter' && !event.isComposing && (event.preventDefault(), true)").addEventData("element.value");
        status.setId("walk-status");
        addClassName("walk-bar");
        add(model, prompt, status);
    }

    String prompt() {
        return prompt.getValue();
    }

    /** Sets the prompt from the server (no {@link WalkEvents.PromptEdited}). */
    void setPrompt(String text) {
        prompt.setValue(text);
    }

    void status(String text) {
        status.setText(text);
    }
}
