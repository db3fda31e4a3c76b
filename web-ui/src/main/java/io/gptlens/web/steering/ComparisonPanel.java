package io.gptlens.web.steering;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.dom.Element;
import io.gptlens.core.tokenizer.TokenDisplay;

import java.util.List;
import java.util.Locale;

/**
 * The side-by-side view: the text generated without and with steering (same prompt, seed and
 * chain), and the next-token probabilities that moved most, each a bar from before to after; green
 * rose, red fell. Empty until {@link #show} is called.
 */
public class ComparisonPanel extends Div {

    public ComparisonPanel() {
        setId("steer-comparison");
        addClassName("steer-comparison");
        getStyle().set("flex-shrink", "0"); // in a page's flex column: grow with the texts, never under the next part
        setVisible(false);
    }

    /** Shows {@code c}; {@code label} names the steering ("female × +4.0, layers 1–4"). */
    public void show(SteeringComparison.Comparison c, String label) {
        removeAll();
        Div texts = new Div();
        texts.addClassName("steer-texts");
        texts.getStyle().set("display", "grid").set("grid-template-columns", "1fr 1fr").set("gap", "var(--lumo-space-m)");
        texts.add(side("Without steering", c.plain().text(), "steer-plain"), side("With " + label, c.steered().text(), "steer-steered"));
        Span moved = new Span(String.format(Locale.ROOT, "Seed %d for both. The next token's distribution after the prompt: %.1f%% of the "
                + "probability moved (total variation).", c.plain().seed(), 100 * c.totalVariation()));
        moved.setId("steer-moved");
        Div shifts = new Div();
        shifts.addClassName("steer-shifts");
        shifts.getStyle().set("display", "grid").set("grid-template-columns", "1fr 1fr").set("gap", "var(--lumo-space-m)");
        shifts.add(table("Gained", c.gained(), "steer-gained"), table("Lost", c.lost(), "steer-lost"));
        add(texts, moved, shifts);
        setVisible(true);
    }

    private static Div side(String title, String text, String id) {
        Div d = new Div(new H4(title));
        Div body = new Div();
        body.setId(id);
        body.setText(text);
        body.getStyle().set("white-space", "pre-wrap").set("font-family", "var(--lumo-font-family)");
        d.add(body);
        return d;
    }

    private static Div table(String title, List<SteeringComparison.Shift> rows, String id) {
        Div d = new Div(new H4(title));
        Element t = new Element("table");
        t.setAttribute("id", id);
        t.getClassList().add("steer-table");
        double top = rows.stream().mapToDouble(s -> Math.max(s.before(), s.after())).max().orElse(1);
        for (SteeringComparison.Shift s : rows) {
            Element tr = new Element("tr");
            tr.setAttribute("data-id", Integer.toString(s.token()));
            tr.setAttribute("data-before", String.format(Locale.ROOT, "%.6g", s.before()));
            tr.setAttribute("data-after", String.format(Locale.ROOT, "%.6g", s.after()));
            tr.appendChild(new Element("td").setText(TokenDisplay.visible(s.piece())));
            Element numbers = new Element("td").setText(String.format(Locale.ROOT, "%.2f%% → %.2f%%", 100 * s.before(), 100 * s.after()));
            numbers.getStyle().set("white-space", "nowrap");
            tr.appendChild(numbers);
            Element bar = new Element("td");
            Element track = new Element("div");
            track.getStyle().set("position", "relative").set("height", "0.8em").set("width", "10em").set("background", "var(--lumo-contrast-10pct)");
            double lo = Math.min(s.before(), s.after()) / top;
            double hi = Math.max(s.before(), s.after()) / top;
            Element span = new Element("div");
            span.getStyle().set("position", "absolute").set("left", pct(lo)).set("width", pct(Math.max(0.01, hi - lo))).set("top", "0")
                    .set("bottom", "0").set("background", s.after() > s.before() ? "var(--lumo-success-color)" : "var(--lumo-error-color)");
            track.appendChild(span);
            bar.appendChild(track);
            tr.appendChild(bar);
            t.appendChild(tr);
        }
        d.getElement().appendChild(t);
        return d;
    }

    private static String pct(double f) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * f);
    }
}
