package io.gptlens.web.trainingview;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.dom.Element;

import java.util.List;
import java.util.Locale;

/**
 * Training and validation loss against the step, drawn server-side as SVG: the training loss as a
 * blue line, validations as red dots joined by a line.
 */
public class LossChart extends Div {

    static final int W = 720;
    static final int H = 300;
    static final int PAD = 44;

    public LossChart() {
        setId("loss-chart");
    }

    /**
     * Draws the curves.
     *
     * @param train       {@code [step, loss]} pairs
     * @param validation  {@code [step, loss]} pairs
     * @param plannedSteps the x axis ends here (at least at the last step)
     */
    public void show(List<double[]> train, List<double[]> validation, long plannedSteps) {
        getElement().removeAllChildren();
        Element svg = new Element("svg");
        svg.setAttribute("width", Integer.toString(W));
        svg.setAttribute("height", Integer.toString(H));
        svg.setAttribute("viewBox", "0 0 " + W + " " + H);
        svg.getStyle().set("border", "1px solid var(--lumo-contrast-10pct, #ddd)");
        double maxX = Math.max(1, plannedSteps);
        double minY = Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (List<double[]> l : List.of(train, validation)) {
            for (double[] p : l) {
                maxX = Math.max(maxX, p[0]);
                if (Double.isFinite(p[1])) {
                    minY = Math.min(minY, p[1]);
                    maxY = Math.max(maxY, p[1]);
                }
            }
        }
        if (minY > maxY) {
            minY = 0;
            maxY = 1;
        }
        double pad = Math.max(0.05, (maxY - minY) * 0.05);
        double y0 = minY - pad;
        double y1 = maxY + pad;
        double fx = (W - 2.0 * PAD) / maxX;
        double fy = (H - 2.0 * PAD) / (y1 - y0);
        svg.appendChild(text(PAD, H - 8, "step (0 to " + (long) maxX + ")", "#555"));
        svg.appendChild(text(4, 14, "loss, nats/token", "#555"));
        for (int i = 0; i <= 4; i++) {
            double v = y0 + (y1 - y0) * i / 4;
            double y = H - PAD - (v - y0) * fy;
            svg.appendChild(line(PAD, y, W - PAD, y, "#eee"));
            svg.appendChild(text(2, y + 4, String.format(Locale.ROOT, "%.2f", v), "#777"));
        }
        svg.appendChild(polyline(train, fx, fy, y0, "#3367d6", "train-curve"));
        svg.appendChild(polyline(validation, fx, fy, y0, "#d93025", "validation-curve"));
        for (double[] p : validation) {
            Element c = new Element("circle");
            c.setAttribute("cx", fmt(PAD + p[0] * fx));
            c.setAttribute("cy", fmt(H - PAD - (p[1] - y0) * fy));
            c.setAttribute("r", "3");
            c.setAttribute("fill", "#d93025");
            svg.appendChild(c);
        }
        getElement().appendChild(svg);
    }

    private static Element polyline(List<double[]> pts, double fx, double fy, double y0, String colour, String cls) {
        StringBuilder sb = new StringBuilder();
        for (double[] p : pts) {
            if (Double.isFinite(p[1])) {
                sb.append(fmt(PAD + p[0] * fx)).append(',').append(fmt(H - PAD - (p[1] - y0) * fy)).append(' ');
            }
        }
        Element e = new Element("polyline");
        e.setAttribute("points", sb.toString().trim());
        e.setAttribute("fill", "none");
        e.setAttribute("stroke", colour);
        e.setAttribute("stroke-width", "1.5");
        e.setAttribute("class", cls);
        e.setAttribute("data-points", Integer.toString(pts.size()));
        return e;
    }

    private static Element line(double x1, double y1, double x2, double y2, String colour) {
        Element e = new Element("line");
        e.setAttribute("x1", fmt(x1));
        e.setAttribute("y1", fmt(y1));
        e.setAttribute("x2", fmt(x2));
        e.setAttribute("y2", fmt(y2));
        e.setAttribute("stroke", colour);
        return e;
    }

    private static Element text(double x, double y, String s, String colour) {
        Element t = new Element("text");
        t.setAttribute("x", fmt(x));
        t.setAttribute("y", fmt(y));
        t.setAttribute("font-size", "11");
        t.setAttribute("fill", colour);
        t.setText(s);
        return t;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
