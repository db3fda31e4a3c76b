package io.gptlens.web.patchingview;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import io.gptlens.core.model.Attribution;

import java.util.Locale;

/**
 * Direct logit attribution as bars: the embedding, each layer's attention and MLP, and the
 * remainder, each bar its contribution to the logit (right of the axis: it raises the logit).
 */
class AttributionBars extends Div {

    AttributionBars() {
        setId("attribution");
    }

    void show(String token, Attribution a) {
        removeAll();
        add(new Span(String.format(Locale.ROOT, "The logit of %s is %.3f: the parts below add up to it (the norm linearised at the final residual)",
                token, a.logit())));
        double max = Math.abs(a.embedding());
        for (int l = 0; l < a.attention().length; l++) {
            max = Math.max(max, Math.max(Math.abs(a.attention()[l]), Math.abs(a.mlp()[l])));
        }
        max = Math.max(max, Math.max(Math.abs(a.remainder()), 1e-9));
        bar("embedding", a.embedding(), max);
        for (int l = 0; l < a.attention().length; l++) {
            bar("layer " + l + " attention", a.attention()[l], max);
            bar("layer " + l + " MLP", a.mlp()[l], max);
        }
        bar("remainder", a.remainder(), max);
    }

    private void bar(String name, double v, double max) {
        Div row = new Div();
        row.addClassName("dla-row");
        row.getElement().setAttribute("data-part", name);
        row.getElement().setAttribute("data-value", String.format(Locale.ROOT, "%.6f", v));
        Span label = new Span(name);
        Div track = new Div();
        track.addClassName("dla-track");
        Div fill = new Div();
        fill.addClassName(v >= 0 ? "dla-up" : "dla-down");
        double w = 50 * Math.abs(v) / max;
        fill.getStyle().set("width", String.format(Locale.ROOT, "%.2f%%", w)).set("left", String.format(Locale.ROOT, "%.2f%%", v >= 0 ? 50 : 50 - w));
        track.add(fill);
        Span value = new Span(String.format(Locale.ROOT, "%+.3f", v));
        row.add(label, track, value);
        add(row);
    }
}
