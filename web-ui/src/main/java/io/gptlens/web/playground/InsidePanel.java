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
import io.gptlens.core.model.Internals;
import io.gptlens.core.model.LogitLens;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.llamacpp.LlamaModel;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Inside the model, for the prompt: the attention matrix of a chosen layer and head as a heatmap
 * (hover: the two tokens and the weight), and the logit lens, the top tokens when each layer's
 * residual stream at the last position goes through the final norm and W_U (layer × rank).
 * Tables are rendered server-side; token text is set as text, never as HTML.
 */
public class InsidePanel extends Div {

    static final int LENS_TOP = 5;

    private final Button inspect = new Button("Look inside the prompt");
    private final Select<Integer> layer = new Select<>();
    private final Select<Integer> head = new Select<>();
    private final Div attention = new Div();
    private final Div lens = new Div();
    private final Span state = new Span();
    private Internals internals;
    private String[] labels = new String[0];

    public InsidePanel(Supplier<Request> request) {
        setId("inside");
        inspect.setId("inspect");
        layer.setId("attention-layer");
        layer.setLabel("Layer");
        head.setId("attention-head");
        head.setLabel("Head");
        attention.setId("attention");
        lens.setId("logit-lens");
        state.setId("inside-state");
        layer.addValueChangeListener(e -> drawAttention());
        head.addValueChangeListener(e -> drawAttention());
        inspect.addClickListener(e -> run(request.get()));
        HorizontalLayout controls = new HorizontalLayout(inspect, layer, head, state);
        controls.setAlignItems(FlexComponent.Alignment.BASELINE);
        add(new H3("Inside the model"), controls, attention, new H3("Logit lens (last prompt position)"), lens);
    }

    /** What to look inside: a model and the prompt's tokens. */
    public record Request(LlamaModel model, int[] tokens) {
    }

    private void run(Request r) {
        if (r == null || r.tokens().length == 0) {
            state.setText("Type a prompt first.");
            return;
        }
        UI ui = UI.getCurrent();
        state.setText("Running the model over " + r.tokens().length + " tokens …");
        inspect.setEnabled(false);
        Thread.ofVirtual().start(() -> {
            try {
                Internals in = r.model().internals(r.tokens());
                Tokenizer t = r.model().tokenizer();
                String[] names = IntStream.of(r.tokens()).mapToObj(id -> TokenDisplay.label(t.piece(id, true), t.type(id))).toArray(String[]::new);
                List<List<TopN.Entry>> top = r.model().finalNorm()
                        .map(norm -> LogitLens.top(in.residual().stream().map(x -> x[x.length - 1]).toList(), norm,
                                r.model()::unembeddingRow, t.vocabularySize(), LENS_TOP))
                        .orElse(List.of());
                ui.access(() -> show(in, names, top, t));
            } catch (RuntimeException ex) {
                ui.access(() -> {
                    state.setText("Failed: " + ex.getMessage());
                    inspect.setEnabled(true);
                });
            }
        });
    }

    private void show(Internals in, String[] names, List<List<TopN.Entry>> top, Tokenizer t) {
        internals = in;
        labels = names;
        inspect.setEnabled(true);
        int layers = in.attention().size();
        int heads = layers == 0 ? 0 : in.attention().getFirst().length;
        state.setText(layers + " layers × " + heads + " heads");
        layer.setItems(IntStream.range(0, layers).boxed().toList());
        head.setItems(IntStream.range(0, heads).boxed().toList());
        if (layers > 0) {
            layer.setValue(0);
            head.setValue(0);
        }
        drawAttention();
        drawLens(top, t);
    }

    private void drawAttention() {
        attention.removeAll();
        if (internals == null || layer.getValue() == null || head.getValue() == null) {
            return;
        }
        float[][] w = internals.attention().get(layer.getValue())[head.getValue()];
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
