package io.gptlens.web.patchingview;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.dom.Element;
import io.gptlens.core.model.CausalTrace;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;

import java.util.Locale;

/**
 * The causal trace as the literature draws it: a layer × position heatmap of the recovered
 * fraction (1, deep blue: copying the clean residual there brings the clean answer back; 0: it
 * brings nothing), each column labelled with its clean and corrupted token.
 */
class TraceHeatmap extends Div {

    private final Span caption = new Span();

    TraceHeatmap() {
        setId("trace");
        caption.setId("trace-caption");
    }

    void show(Tokenizer t, int[] clean, int[] corrupted, int target, CausalTrace trace) {
        removeAll();
        caption.setText(String.format(Locale.ROOT, "p(%s): clean %.4f, corrupted %.4f. Each cell: how much of that comes back when the clean "
                + "residual after that layer, at that position, is copied into the corrupted run.", label(t, target), trace.clean(), trace.corrupted()));
        Element table = new Element("table");
        table.getClassList().add("heat");
        Element head = new Element("tr");
        head.appendChild(new Element("th").setText("layer ↓ position →"));
        for (int p = 0; p < clean.length; p++) {
            String a = label(t, clean[p]);
            String b = label(t, corrupted[p]);
            head.appendChild(new Element("th").setText(a.equals(b) ? a : a + " / " + b));
        }
        table.appendChild(head);
        double[][] r = trace.recovered();
        for (int l = r.length - 1; l >= 0; l--) {
            Element tr = new Element("tr");
            tr.appendChild(new Element("th").setText(Integer.toString(l)));
            for (int p = 0; p < r[l].length; p++) {
                double v = r[l][p];
                Element td = new Element("td");
                td.setAttribute("data-layer", Integer.toString(l));
                td.setAttribute("data-pos", Integer.toString(p));
                td.setAttribute("data-recovered", Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.6f", v));
                td.setText(Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v));
                double a = Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
                td.getStyle().set("background", String.format(Locale.ROOT, "rgba(51, 103, 214, %.3f)", a));
                td.getStyle().set("color", a > 0.5 ? "white" : "inherit");
                td.setAttribute("title", String.format(Locale.ROOT, "layer %d, position %d: p = %.4f, recovered %.3f", l, p, trace.patched()[l][p], v));
                tr.appendChild(td);
            }
            table.appendChild(tr);
        }
        add(caption);
        getElement().appendChild(table);
    }

    private static String label(Tokenizer t, int id) {
        return TokenDisplay.label(t.piece(id, true), t.type(id));
    }
}
