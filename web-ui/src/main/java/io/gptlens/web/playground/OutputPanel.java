package io.gptlens.web.playground;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.shared.Registration;

import java.util.List;
import java.util.Locale;

/**
 * The prompt followed by a run's tokens, each coloured by its probability, and the status line.
 * Clicking a token fires {@link TokenSelected}. Token text is always escaped.
 */
public class OutputPanel extends VerticalLayout {

    /** A person clicked generated token {@code index}. */
    public static class TokenSelected extends ComponentEvent<OutputPanel> {
        private final int index;

        TokenSelected(OutputPanel source, int index) {
            super(source, true);
            this.index = index;
        }

        public int index() {
            return index;
        }
    }

    private final Div output = new Div();
    private final Span status = new Span();

    public OutputPanel() {
        output.setId("output");
        output.addClassName("output");
        output.setWidthFull();
        status.setId("status");
        add(new Span("Output (click a token to see its distribution; colour = its probability)"), output, status);
        setPadding(false);
    }

    /** Shows {@code prompt}, then {@code run}'s tokens (none when null) with {@code selected} marked. */
    public void show(String prompt, Run run, int selected) {
        output.removeAll();
        Span p = new Span(prompt);
        p.addClassName("prompt");
        output.add(p);
        if (run == null) {
            return;
        }
        List<Step> steps = run.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            Span t = new Span(s.text());
            t.addClassName("tok");
            t.setId("tok-" + i);
            t.getElement().setAttribute("data-id", Integer.toString(s.token()));
            t.getElement().setAttribute("title", s.label() + " · id " + s.token() + " · p " + DistributionPanel.pct(s.p()));
            t.getStyle().set("background", colour(s.p()));
            if (i == selected) {
                t.addClassName("selected");
            }
            int index = i;
            t.addClickListener(e -> fireEvent(new TokenSelected(this, index)));
            output.add(t);
        }
    }

    public void clear() {
        output.removeAll();
    }

    public void status(String text) {
        status.setText(text);
    }

    /** Marks the status with a replay's verdict ({@code identical} or {@code different}), for scripts. */
    public void replayVerdict(boolean same) {
        status.getElement().setAttribute("data-replay", same ? "identical" : "different");
    }

    /** Red (unlikely) to green (certain), light enough to read black text on. */
    static String colour(double p) {
        return String.format(Locale.ROOT, "hsl(%.0f, 75%%, 82%%)", 120 * Math.max(0, Math.min(1, p)));
    }

    public Registration addTokenSelectedListener(ComponentEventListener<TokenSelected> l) {
        return addListener(TokenSelected.class, l);
    }
}
