package io.gptlens.web.playground;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.shared.Registration;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;

import java.util.Locale;

/**
 * The next-token distribution as a bar chart: one row per top token with two bars side by side
 * (the model's probability, and what is left after the sampler chain), both numbers, and the logit. Clicking a row fires {@link AlternativeChosen}.
 */
public class DistributionPanel extends Div {

    /** A person chose this token to continue from. */
    public static class AlternativeChosen extends ComponentEvent<DistributionPanel> {
        private final int token;

        public AlternativeChosen(DistributionPanel source, int token) {
            super(source, false);
            this.token = token;
        }

        public int token() {
            return token;
        }
    }

    private final Div title = new Div();
    private final Div rows = new Div();

    public DistributionPanel() {
        add(title, rows);
        title.getStyle().set("font-weight", "600").set("margin-bottom", "4px");
    }

    /** Shows the top {@code n} rows of {@code model}. */
    public void show(String heading, DistributionModel model, Tokenizer t, int n, int chosen) {
        title.setText(heading);
        rows.removeAll();
        Div header = row("token", "model p", "sampled p", "logit");
        header.getStyle().set("font-weight", "600").set("cursor", "default");
        rows.add(header);
        for (DistributionModel.Row r : model.top(n)) {
            String label = TokenDisplay.label(t.piece(r.id(), true), t.type(r.id()));
            Div row = new Div();
            row.addClassName("dist-row");
            row.setId("alt-" + r.id());
            row.getElement().setAttribute("data-id", Integer.toString(r.id()));
            Span name = new Span(label + (r.id() == chosen ? " ✓" : ""));
            name.addClassName("name");
            name.getElement().setAttribute("title", label + " · id " + r.id() + ", rank " + r.rank());
            // two bars side by side: what the model says, and what the sampler chain leaves of it
            Div bar = new Div();
            bar.addClassName("bar");
            Div modelFill = new Div();
            modelFill.addClassName("fill-model");
            modelFill.getStyle().set("width", String.format(Locale.ROOT, "%.2f%%", 100 * r.modelP()));
            Div sampledFill = new Div();
            sampledFill.addClassName("fill-sampled");
            sampledFill.getStyle().set("width", String.format(Locale.ROOT, "%.2f%%", 100 * r.sampledP()));
            bar.add(modelFill, sampledFill);
            bar.getElement().setAttribute("title", "upper: the model's p " + pct(r.modelP()) + "; lower: after the samplers " + pct(r.sampledP()));
            Span modelP = new Span(pct(r.modelP()));
            modelP.addClassName("p-model");
            Span sampled = new Span(r.sampledP() == 0 ? "removed" : pct(r.sampledP()));
            sampled.addClassName(r.sampledP() == 0 ? "removed" : "p-sampled");
            Span logit = new Span(String.format(Locale.ROOT, "%.3f", r.logit()));
            row.add(name, bar, modelP, sampled, logit);
            row.addClickListener(e -> fireEvent(new AlternativeChosen(this, r.id())));
            rows.add(row);
        }
    }

    private static Div row(String a, String b, String c, String d) {
        Div row = new Div();
        row.addClassName("dist-row");
        Span legend = new Span();
        legend.addClassName("legend");
        Span m = new Span("▬ model ");
        m.addClassName("legend-model");
        Span sampled = new Span("▬ sampled");
        sampled.addClassName("legend-sampled");
        legend.add(m, sampled);
        row.add(new Span(a), legend, new Span(b), new Span(c), new Span(d));
        return row;
    }

    /** A probability as a percentage with two decimals, e.g. "12.34 %". */
    public static String pct(double p) {
        return String.format(Locale.ROOT, "%.2f %%", 100 * p);
    }

    public Registration addAlternativeChosenListener(ComponentEventListener<AlternativeChosen> l) {
        return addListener(AlternativeChosen.class, l);
    }
}
