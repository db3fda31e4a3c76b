package io.gptlens.web.explorer;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.dom.Element;
import com.vaadin.flow.shared.Registration;
import io.gptlens.core.embedding.Pca;

import java.util.List;
import java.util.Locale;

/**
 * A labelled scatter plot of token vectors projected on their first two principal components,
 * drawn server-side as SVG. Clicking a point fires {@link TokenClicked}. Labels are text nodes,
 * never markup.
 */
public class ScatterPlot extends Div {

    /** A point was clicked. */
    public static class TokenClicked extends ComponentEvent<ScatterPlot> {
        private final int token;

        public TokenClicked(ScatterPlot source, int token) {
            super(source, false);
            this.token = token;
        }

        public int token() {
            return token;
        }
    }

    static final int W = 640;
    static final int H = 420;
    static final int PAD = 40;

    public ScatterPlot() {
        setId("scatter");
    }

    /** Plots {@code vectors} labelled with {@code labels}; {@code ids} are the tokens behind them. */
    public void show(List<Integer> ids, List<String> labels, float[][] vectors) {
        getElement().removeAllChildren();
        if (vectors.length < 2) {
            return;
        }
        double[][] p = Pca.project2d(vectors);
        double minX = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, minY = Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
        for (double[] q : p) {
            minX = Math.min(minX, q[0]);
            maxX = Math.max(maxX, q[0]);
            minY = Math.min(minY, q[1]);
            maxY = Math.max(maxY, q[1]);
        }
        double sx = (W - 2 * PAD) / Math.max(1e-9, maxX - minX);
        double sy = (H - 2 * PAD) / Math.max(1e-9, maxY - minY);
        Element svg = new Element("svg");
        svg.setAttribute("width", Integer.toString(W));
        svg.setAttribute("height", Integer.toString(H));
        svg.setAttribute("viewBox", "0 0 " + W + " " + H);
        svg.getStyle().set("border", "1px solid var(--lumo-contrast-10pct, #ddd)");
        for (int i = 0; i < p.length; i++) {
            double x = PAD + (p[i][0] - minX) * sx;
            double y = H - PAD - (p[i][1] - minY) * sy;
            Element g = new Element("g");
            g.setAttribute("data-id", Integer.toString(ids.get(i)));
            g.getStyle().set("cursor", "pointer");
            Element c = new Element("circle");
            c.setAttribute("cx", String.format(Locale.ROOT, "%.1f", x));
            c.setAttribute("cy", String.format(Locale.ROOT, "%.1f", y));
            c.setAttribute("r", i == 0 ? "6" : "4");
            c.setAttribute("fill", i == 0 ? "#d93025" : "#3367d6");
            Element t = new Element("text");
            // a label goes on the side of its point that has room, so none runs off the picture's right edge
            boolean left = x > W / 2.0;
            t.setAttribute("x", String.format(Locale.ROOT, "%.1f", left ? x - 7 : x + 7));
            if (left) {
                t.setAttribute("text-anchor", "end");
            }
            t.setAttribute("y", String.format(Locale.ROOT, "%.1f", y + 4));
            t.setAttribute("font-size", "12");
            // and is cut to the room on that side (12 px text is at most about 7.5 px a character), whole in the point's tooltip
            int room = (int) ((left ? x - 7 : W - x - 7) / 7.5);
            String label = labels.get(i);
            t.setText(label.codePointCount(0, label.length()) <= room ? label
                    : label.substring(0, label.offsetByCodePoints(0, Math.max(1, room - 1))) + "…");
            Element title = new Element("title");
            title.setText(label);
            g.appendChild(title, c, t);
            int id = ids.get(i);
            g.addEventListener("click", e -> fireEvent(new TokenClicked(this, id)));
            svg.appendChild(g);
        }
        getElement().appendChild(svg);
    }

    public Registration addTokenClickedListener(ComponentEventListener<TokenClicked> l) {
        return addListener(TokenClicked.class, l);
    }
}
