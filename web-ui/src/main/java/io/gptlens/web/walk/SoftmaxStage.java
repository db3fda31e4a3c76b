package io.gptlens.web.walk;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.dom.Element;
import io.gptlens.core.distribution.Softmax;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;

import java.util.List;

/**
 * Stage 5, softmax with temperature T: p_i = exp(l_i / T) / Σ_j exp(l_j / T) over the whole
 * vocabulary, as bars of the top tokens that move while T is dragged (0 to 5; hosted APIs stop at 2),
 * with the entropy and the mass outside the top. T = 0 puts all the mass on the argmax.
 */
final class SoftmaxStage extends Stage {

    static final int TOP = 10;
    static final double MAX_T = 5;

    private final Element slider = new Element("input");
    private final Span value = new Span();
    private final Span entropy = new Span();
    private final Span outside = new Span();
    private final Div bars = new Div();
    private Tokenizer tokenizer;
    private float[] logits;
    private List<TopN.Entry> top = List.of();
    private double temperature = 1;

    SoftmaxStage() {
        super("stage-softmax", 5, "Softmax with temperature T → probabilities");
        slider.setAttribute("type", "range");
        slider.setAttribute("id", "temperature-slider");
        slider.setAttribute("min", "0");
        slider.setAttribute("max", Double.toString(MAX_T));
        slider.setAttribute("step", "0.05");
        slider.setAttribute("aria-label", "temperature");
        slider.setProperty("value", "1");
        slider.addEventListener("input", e -> {
            double t = e.getEventData().get("element.valueAsNumber").asDouble();
            fire(new WalkEvents.TemperatureChanged(this, t));
        }).addEventData("element.valueAsNumber").debounce(40, com.vaadin.flow.dom.DebouncePhase.INTERMEDIATE);
        value.setId("temperature-value");
        entropy.setId("entropy");
        outside.setId("outside-mass");
        bars.setId("softmax-bars");
        Div controls = new Div();
        controls.addClassName("stage-controls");
        controls.getElement().appendChild(new Element("label").setText("T").setAttribute("for", "temperature-slider"), slider);
        controls.add(value, entropy, outside);
        body.add(controls, bars);
    }

    void logits(Tokenizer t, float[] logits) {
        this.tokenizer = t;
        this.logits = logits;
        this.top = TopN.of(logits, Softmax.logSumExp(logits), TOP);
        draw();
    }

    /** Sets T (from the URL or a key) without firing an event. */
    void setTemperature(double t) {
        temperature = Math.max(0, Math.min(MAX_T, t));
        slider.setProperty("value", Double.toString(temperature));
        if (logits != null) {
            draw();
        }
    }

    double temperature() {
        return temperature;
    }

    private void draw() {
        long t0 = System.nanoTime();
        double[] p = Softmax.probabilities(logits, temperature);
        double h = 0;
        for (double x : p) {
            h -= x > 0 ? x * Math.log(x) : 0;
        }
        double shown = 0;
        bars.removeAll();
        for (int i = 0; i < top.size(); i++) {
            TopN.Entry e = top.get(i);
            double pi = p[e.id()];
            shown += pi;
            Div row = new Div();
            row.addClassName("bar-row");
            row.getElement().setAttribute("data-id", Integer.toString(e.id()));
            row.getElement().setAttribute("data-p", Pictures.f("%.9f", pi));
            row.getElement().setAttribute("data-logit", Pictures.f("%.6f", e.logit()));
            row.getElement().getClassList().set("argmax", i == 0 && temperature == 0);
            Span name = new Span(TokenDisplay.label(tokenizer.piece(e.id(), true), tokenizer.type(e.id())));
            Div bar = new Div();
            bar.addClassName("bar");
            Div fill = new Div();
            fill.getStyle().set("width", Pictures.f("%.2f%%", 100 * pi));
            bar.add(fill);
            Span pct = new Span(Pictures.f("%.2f %%", 100 * pi));
            Span logit = new Span(Pictures.f("logit %.2f", e.logit()));
            row.add(name, bar, pct, logit);
            bars.add(row);
        }
        value.setText(Pictures.f("T = %.2f%s", temperature, temperature == 0 ? " (always the top token)" : temperature > 2 ? " (beyond hosted APIs' 2)" : ""));
        entropy.setText(Pictures.f("entropy %.3f bits", h / Math.log(2)));
        outside.getElement().setAttribute("data-mass", Pictures.f("%.9f", Math.max(0, 1 - shown)));
        outside.setText(Pictures.f("outside the top %d: %.2f %%", top.size(), 100 * Math.max(0, 1 - shown)));
        caption(Pictures.f("p_i = exp(l_i / T) / Σ_j exp(l_j / T) over all %,d logits", logits.length));
        ready(t0);
    }
}
