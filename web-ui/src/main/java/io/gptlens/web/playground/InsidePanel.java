package io.gptlens.web.playground;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.dom.Element;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.internals.InternalsService;
import io.gptlens.web.models.LoadedModel;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Inside the model, for the prompt: the attention matrix of a chosen layer and head as a heatmap
 * (hover: the two tokens and the weight; prompts longer than {@value #TABLE_TOKENS} tokens are
 * drawn as an image, one pixel block per cell), and the logit lens, the top tokens when each
 * layer's residual stream at the last position goes through the final norm and W_U (layer × rank).
 * Only the chosen layer's attention is captured ({@link InternalsService}); choosing another layer
 * runs the prompt again for it. Token text is set as text, never as HTML.
 */
public class InsidePanel extends Div {

    static final int LENS_TOP = 5;
    /** Longest prompt whose attention is drawn as a table with a cell per weight. */
    static final int TABLE_TOKENS = 64;

    private final InternalsService service;
    private final Supplier<Request> request;
    private final Button inspect = new Button("Look inside the prompt");
    private final Select<Integer> layer = new Select<>();
    private final Select<Integer> head = new Select<>();
    private final Div attention = new Div();
    private final Div lens = new Div();
    private final Span state = new Span();
    private InternalsService.Result result;
    private Request shown;
    private String[] labels = new String[0];
    private boolean updating;

    public InsidePanel(InternalsService service, Supplier<Request> request) {
        this.service = service;
        this.request = request;
        setId("inside");
        inspect.setId("inspect");
        layer.setId("attention-layer");
        layer.setLabel("Layer");
        head.setId("attention-head");
        head.setLabel("Head");
        attention.setId("attention");
        lens.setId("logit-lens");
        state.setId("inside-state");
        layer.addValueChangeListener(e -> {
            if (!updating && e.getValue() != null && shown != null) {
                capture(shown, e.getValue(), false); // another layer: capture its attention
            }
        });
        head.addValueChangeListener(e -> drawAttention());
        inspect.addClickListener(e -> {
            Request r = request.get();
            capture(r, layer.getValue() == null ? 0 : layer.getValue(), true);
        });
        HorizontalLayout controls = new HorizontalLayout(inspect, layer, head, state);
        controls.setAlignItems(FlexComponent.Alignment.BASELINE);
        add(new H3("Inside the model"), controls, attention, new H3("Logit lens (last prompt position)"), lens);
    }

    /** What to look inside: a model and the prompt's tokens. */
    public record Request(LoadedModel model, int[] tokens) {
    }

    private void capture(Request r, int atLayer, boolean withLens) {
        if (r == null || r.tokens().length == 0) {
            state.setText("Type a prompt first.");
            return;
        }
        UI ui = UI.getCurrent();
        int l = Math.min(atLayer, r.model().model().info().layers() - 1);
        state.setText("Running the model over " + r.tokens().length + " tokens …");
        inspect.setEnabled(false);
        List<List<TopN.Entry>> keptLens = withLens || result == null ? null : result.lens();
        Thread.ofVirtual().start(() -> {
            try {
                boolean lensWanted = withLens || keptLens == null;
                InternalsService.Result res = service.inspect(r.model(), r.tokens(), l, null, 0, null, lensWanted
                        && r.model().model().finalNorm().isPresent() ? -1 : null, LENS_TOP);
                Tokenizer t = r.model().model().tokenizer();
                String[] names = IntStream.of(r.tokens()).mapToObj(id -> TokenDisplay.label(t.piece(id, true), t.type(id))).toArray(String[]::new);
                ui.access(() -> show(r, res, names, res.lens() != null ? res.lens() : keptLens, t, l));
            } catch (RuntimeException ex) {
                ui.access(() -> {
                    state.setText("Failed: " + ex.getMessage());
                    inspect.setEnabled(true);
                });
            }
        });
    }

    private void show(Request r, InternalsService.Result res, String[] names, List<List<TopN.Entry>> top, Tokenizer t, int l) {
        result = res;
        shown = r;
        labels = names;
        inspect.setEnabled(true);
        state.setText(String.format(Locale.ROOT, "%d layers × %d heads; layer %d captured in %.0f ms (%s kept)%s", res.layers(), res.heads(), l,
                res.captureMillis(), io.gptlens.web.models.DownloadService.size(res.capturedBytes()),
                res.lens() != null ? String.format(Locale.ROOT, ", logit lens %.0f ms", res.lensMillis()) : ""));
        updating = true;
        try {
            layer.setItems(IntStream.range(0, res.layers()).boxed().toList());
            head.setItems(IntStream.range(0, res.heads()).boxed().toList());
            layer.setValue(l);
            if (head.getValue() == null || head.getValue() >= res.heads()) {
                head.setValue(0);
            }
        } finally {
            updating = false;
        }
        drawAttention();
        drawLens(top == null ? List.of() : top, t);
    }

    private void drawAttention() {
        attention.removeAll();
        if (result == null || result.attention() == null || head.getValue() == null) {
            return;
        }
        float[][] w = result.attention().weights()[head.getValue()];
        if (w.length > TABLE_TOKENS) {
            drawImage(w);
            return;
        }
        Element table = new Element("table");
        table.getClassList().add("heat");
        Element header = new Element("tr");
        header.appendChild(new Element("th").setText("query ↓ key →"));
        for (String k : labels) {
            header.appendChild(new Element("th").setText(k));
        }
        table.appendChild(header);
        for (int q = 0; q < w.length; q++) {
            Element tr = new Element("tr");
            tr.appendChild(new Element("th").setText(labels[q]));
            for (int k = 0; k < w[q].length; k++) {
                Element td = new Element("td");
                float v = w[q][k];
                td.setText(k <= q ? String.format(Locale.ROOT, "%.2f", v) : "");
                td.getStyle().set("background", String.format(Locale.ROOT, "rgba(51, 103, 214, %.3f)", Math.max(0, Math.min(1, v))));
                td.getStyle().set("color", v > 0.5 ? "white" : "black");
                td.setAttribute("title", "query " + labels[q] + " (" + q + ") → key " + labels[k] + " (" + k + "): "
                        + String.format(Locale.ROOT, "%.4f", v));
                tr.appendChild(td);
            }
            table.appendChild(tr);
        }
        attention.getElement().appendChild(table);
    }

    /** A long prompt's attention as a PNG: one pixel per (query, key), blue by weight (square root, so small weights show). */
    private void drawImage(float[][] w) {
        int n = w.length;
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(n, n, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int q = 0; q < n; q++) {
            for (int k = 0; k < n; k++) {
                double v = k <= q && w[q] != null ? Math.sqrt(Math.max(0, Math.min(1, w[q][k]))) : 0;
                int r = (int) Math.round(255 - v * (255 - 51));
                int g = (int) Math.round(255 - v * (255 - 103));
                int b = (int) Math.round(255 - v * (255 - 214));
                img.setRGB(k, q, (r << 16) | (g << 8) | b);
            }
        }
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(img, "png", png);
        } catch (java.io.IOException e) {
            attention.setText("Could not draw the attention: " + e.getMessage());
            return;
        }
        com.vaadin.flow.component.html.Image image = new com.vaadin.flow.component.html.Image(
                "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png.toByteArray()),
                "attention of layer " + layer.getValue() + ", head " + head.getValue() + " over " + n + " tokens (rows: queries, columns: keys)");
        image.setId("attention-image");
        image.getStyle().set("width", Math.max(n, 512) + "px").set("image-rendering", "pixelated");
        attention.add(image);
    }

    private void drawLens(List<List<TopN.Entry>> top, Tokenizer t) {
        lens.removeAll();
        if (top.isEmpty()) {
            lens.setText("This model's final norm is not known to GPTLens: no logit lens.");
            return;
        }
        Element table = new Element("table");
        table.getClassList().add("heat");
        Element header = new Element("tr");
        header.appendChild(new Element("th").setText("layer"));
        for (int r = 1; r <= LENS_TOP; r++) {
            header.appendChild(new Element("th").setText("#" + r));
        }
        table.appendChild(header);
        for (int l = 0; l < top.size(); l++) {
            Element tr = new Element("tr");
            tr.appendChild(new Element("th").setText(Integer.toString(l)));
            for (TopN.Entry e : top.get(l)) {
                Element td = new Element("td");
                td.setText(TokenDisplay.label(t.piece(e.id(), true), t.type(e.id())) + " " + DistributionPanel.pct(e.p()));
                td.setAttribute("data-id", Integer.toString(e.id()));
                td.getStyle().set("background", String.format(Locale.ROOT, "rgba(46, 160, 67, %.3f)", Math.max(0, Math.min(1, e.p()))));
                tr.appendChild(td);
            }
            table.appendChild(tr);
        }
        lens.getElement().appendChild(table);
    }
}
