package io.gptlens.web.walk;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.shared.Registration;

/**
 * One stage of the walk: a numbered card with a title, a line that says what the stage computes
 * with the model's real numbers, and its picture. {@code data-state} is {@code ready} once drawn and
 * {@code data-ms} says how long the server took to draw it (the browser test adds the page's part).
 */
abstract class Stage extends Div {

    private final Span caption = new Span();
    private final Span note = new Span();
    protected final Div body = new Div();

    Stage(String id, int number, String title) {
        setId(id);
        addClassName("stage");
        Div head = new Div();
        head.addClassName("stage-head");
        Span n = new Span(Integer.toString(number));
        n.addClassName("stage-number");
        Span t = new Span(title);
        t.addClassName("stage-title");
        head.add(n, t);
        caption.addClassName("stage-caption");
        body.addClassName("stage-body");
        note.addClassName("stage-note");
        note.setVisible(false);
        add(head, caption, note, body);
        getElement().setAttribute("data-state", "empty");
    }

    protected void caption(String text) {
        caption.setText(text);
    }

    /** Marks the stage drawn, {@code since} being {@link System#nanoTime()} when drawing began. */
    protected void ready(long since) {
        getElement().setAttribute("data-ms", Pictures.f("%.1f", (System.nanoTime() - since) / 1e6));
        getElement().setAttribute("data-state", "ready");
        note.setVisible(false);
    }

    /** Shows that the stage is waiting for the model (or says why it cannot be drawn). */
    void pending(String why) {
        note.setText(why);
        note.setVisible(true);
        getElement().setAttribute("data-state", "pending");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    <T extends ComponentEvent<?>> Registration on(Class<T> type, ComponentEventListener<T> listener) {
        return addListener((Class) type, (ComponentEventListener) listener);
    }

    void fire(ComponentEvent<?> e) {
        fireEvent(e);
    }
}
