package io.gptlens.web.explorer;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import io.gptlens.core.embedding.Vectors;

import java.util.Locale;

/** A vector as a strip of cells, red for positive and blue for negative values, with its size and norm. */
public class RowStrip extends Div {

    public RowStrip() {
        setId("row-strip");
    }

    /** Shows {@code v}, the row of {@code label}. */
    public void show(String label, float[] v) {
        removeAll();
        double max = 1e-9;
        for (float x : v) {
            max = Math.max(max, Math.abs(x));
        }
        Div strip = new Div();
        strip.getStyle().set("display", "flex").set("height", "18px").set("width", "100%");
        for (float x : v) {
            Div cell = new Div();
            double t = x / max;
            cell.getStyle().set("flex", "1").set("background", t >= 0
                    ? String.format(Locale.ROOT, "rgba(217, 48, 37, %.3f)", t) : String.format(Locale.ROOT, "rgba(51, 103, 214, %.3f)", -t));
            strip.add(cell);
        }
        add(new Span("Row of '" + label + "' (" + v.length + " numbers; red positive, blue negative, |x| ≤ "
                + String.format(Locale.ROOT, "%.3f", max) + ", norm " + String.format(Locale.ROOT, "%.3f", Vectors.norm(v)) + ")"), strip);
    }
}
