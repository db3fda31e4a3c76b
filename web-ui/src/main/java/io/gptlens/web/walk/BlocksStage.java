package io.gptlens.web.walk;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Image;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.dom.Element;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.model.AttentionPattern;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 3, through the blocks: a grid of layers × tokens showing either each residual vector's norm
 * or the logit lens (the layer's residual through the final norm and W_U: its top token and
 * probability); per layer, every head's attention pattern as a small picture; a head opens as a
 * full heatmap with token labels. Long prompts show their last {@value #COLUMNS} tokens; the logit
 * lens is computed per position on demand (one pass over W_U each), the last one first.
 */
final class BlocksStage extends Stage {

    static final int COLUMNS = 32;
    /** Longest prompt whose full heatmap is a table with a labelled cell per weight. */
    static final int TABLE_TOKENS = 48;

    enum Mode { NORM, LENS }

    private final Select<Mode> mode = new Select<>();
    private final Div grid = new Div();
    private final Div heads = new Div();
    private final Div map = new Div();
    private final Map<Integer, List<TopN.Entry>> lens = new HashMap<>();
    private Tokenizer tokenizer;
    private int[] tokens = new int[0];
    private String[] labels = new String[0];
    private WalkService.Blocks blocks;
    private boolean lensKnown;

    BlocksStage() {
        super("stage-blocks", 3, "Through the blocks: attention lets the vectors talk, the MLP refines each alone");
        mode.setId("grid-mode");
        mode.setLabel("Each cell shows");
        mode.setItems(Mode.values());
        mode.setItemLabelGenerator(m -> m == Mode.NORM ? "the residual's norm" : "the logit lens (top token)");
        mode.setValue(Mode.NORM);
        mode.addValueChangeListener(e -> {
            if (e.getValue() == Mode.LENS && tokens.length > 0 && !lens.containsKey(tokens.length - 1)) {
                fire(new WalkEvents.LensWanted(this, tokens.length - 1));
            }
            drawGrid();
        });
        grid.setId("layer-grid");
        heads.setId("heads");
        map.setId("head-map");
        body.add(mode, grid, heads, map);
    }

    /** New prompt: its tokens (the lens and heads are drawn again as they arrive). */
    void prompt(Tokenizer t, int[] tokens, boolean lensKnown) {
        this.tokenizer = t;
        this.tokens = tokens.clone();
        this.lensKnown = lensKnown;
        this.labels = java.util.stream.IntStream.of(tokens).mapToObj(id -> TokenDisplay.label(t.piece(id, true), t.type(id))).toArray(String[]::new);
        lens.clear();
        blocks = null; // the last prompt's grid no longer matches these tokens: it is drawn again when the capture arrives
        grid.removeAll();
        heads.removeAll();
        map.removeAll();
        mode.setEnabled(lensKnown);
        if (!lensKnown) {
            mode.setValue(Mode.NORM);
        }
    }

    Mode mode() {
        return mode.getValue();
    }

    void show(WalkService.Blocks b) {
        long t0 = System.nanoTime();
        blocks = b;
        caption(Pictures.f("%d layers × %d heads; each layer adds attention, then an MLP, to every token's residual vector (captured in %.0f ms)",
                b.layers(), b.heads(), b.millis()));
        drawGrid();
        drawHeads();
        map.removeAll();
        ready(t0);
    }

    void lens(int position, List<TopN.Entry> top) {
        lens.put(position, top);
        if (mode.getValue() == Mode.LENS && blocks != null) {
            long t0 = System.nanoTime();
            drawGrid();
            ready(t0);
        }
    }

    private int first() {
        return Math.max(0, tokens.length - COLUMNS);
    }

    private void drawGrid() {
        grid.removeAll();
        if (blocks == null) {
            return;
        }
        float max = 1e-12f;
        for (float[] row : blocks.residualNorms()) {
            for (float v : row) {
                max = Float.isNaN(v) ? max : Math.max(max, v);
            }
        }
        Element table = new Element("table");
        table.getClassList().add("heat");
        Element header = new Element("tr");
        header.appendChild(new Element("th").setText("layer"));
        for (int p = first(); p < tokens.length; p++) {
            Element th = new Element("th").setText(labels[p]);
            th.setAttribute("data-pos", Integer.toString(p));
            if (mode.getValue() == Mode.LENS && !lens.containsKey(p)) {
                th.setAttribute("title", "click: the logit lens at this position");
                int pos = p;
                th.addEventListener("click", e -> fire(new WalkEvents.LensWanted(this, pos)));
                th.getClassList().add("clickable");
            }
            header.appendChild(th);
        }
        table.appendChild(header);
        for (int l = blocks.layers() - 1; l >= 0; l--) { // the output at the top, as the stream rises
            Element tr = new Element("tr");
            Element th = new Element("th").setText(Integer.toString(l));
            th.setAttribute("title", "click: this layer's attention heads");
            th.getClassList().add("clickable");
            int layer = l;
            th.addEventListener("click", e -> fire(new WalkEvents.LayerChosen(this, layer)));
            if (l == blocks.layer()) {
                th.getClassList().add("selected");
            }
            tr.appendChild(th);
            float[] norms = blocks.residualNorms().get(l);
            for (int p = first(); p < tokens.length; p++) {
                tr.appendChild(cell(l, p, norms[p], max));
            }
            table.appendChild(tr);
        }
        grid.getElement().appendChild(table);
    }

    private Element cell(int l, int p, float norm, float max) {
        Element td = new Element("td");
        td.setAttribute("data-layer", Integer.toString(l));
        td.setAttribute("data-pos", Integer.toString(p));
        if (mode.getValue() == Mode.LENS) {
            List<TopN.Entry> top = lens.get(p);
            if (top != null) {
                TopN.Entry e = top.get(l);
                td.setText(TokenDisplay.label(tokenizer.piece(e.id(), true), tokenizer.type(e.id())) + Pictures.f(" %.0f%%", 100 * e.p()));
                td.setAttribute("data-id", Integer.toString(e.id()));
                td.setAttribute("data-p", Pictures.f("%.6f", e.p()));
                td.getStyle().set("background", Pictures.f("rgba(46, 160, 67, %.3f)", Math.min(1, e.p())));
            }
            return td;
        }
        if (Float.isNaN(norm)) {
            td.setText("·");
            td.setAttribute("title", "llama.cpp computes the last layer only for the positions it outputs");
            return td;
        }
        td.setAttribute("data-norm", Pictures.f("%.4f", norm));
        td.setAttribute("title", Pictures.f("layer %d, %s (position %d): ‖residual‖ = %.4f", l, labels[p], p, norm));
        td.getStyle().set("background", Pictures.f("rgba(214, 120, 51, %.3f)", norm / max));
        return td;
    }

    private void drawHeads() {
        heads.removeAll();
        Span title = new Span(Pictures.f("Layer %d: the attention of its %d heads (rows: queries, columns: keys). Click one.", blocks.layer(), blocks.heads()));
        title.addClassName("stage-caption");
        heads.add(title);
        Div row = new Div();
        row.addClassName("head-row");
        for (AttentionPattern pattern : blocks.attention()) {
            int h = pattern.head();
            Image img = new Image(Pictures.attention(pattern), "layer " + blocks.layer() + ", head " + h);
            img.addClassName("head");
            img.getElement().setAttribute("data-head", Integer.toString(h));
            img.getElement().setAttribute("title", "head " + h);
            int head = h;
            img.addClickListener(e -> drawMap(head));
            row.add(img);
        }
        heads.add(row);
    }

    private void drawMap(int head) {
        long t0 = System.nanoTime();
        map.removeAll();
        AttentionPattern w = blocks.attention().get(head);
        map.getElement().setAttribute("data-head", Integer.toString(head));
        map.add(new Span(Pictures.f("Layer %d, head %d: how much each query token (row) attends to each earlier key token (column)", blocks.layer(), head)));
        int from = 0;
        if (w.keys() > TABLE_TOKENS) { // the whole pattern as a picture, the last tokens as a labelled table under it
            Image img = new Image(Pictures.attention(w), "layer " + blocks.layer() + ", head " + head + " over " + w.keys() + " tokens");
            img.addClassName("head-large");
            map.add(img);
            from = w.keys() - TABLE_TOKENS;
            map.add(new Span(Pictures.f("The last %d tokens (queries and keys %d to %d), with their labels:", TABLE_TOKENS, from, w.keys() - 1)));
        }
        Element table = new Element("table");
        table.getClassList().add("heat");
        Element header = new Element("tr");
        header.appendChild(new Element("th").setText("query ↓ key →"));
        for (int k = from; k < w.keys(); k++) {
            header.appendChild(new Element("th").setText(labels[k]));
        }
        table.appendChild(header);
        for (int q = Math.max(from, w.queryFrom()); q < w.queryTo(); q++) {
            Element tr = new Element("tr");
            tr.appendChild(new Element("th").setText(labels[q]));
            for (int k = from; k < w.keys(); k++) {
                Element td = new Element("td");
                float v = w.weight(q, k);
                td.setText(k <= q ? Pictures.f("%.2f", v) : "");
                td.setAttribute("data-w", Pictures.f("%.6f", v));
                td.getStyle().set("background", Pictures.f("rgba(51, 103, 214, %.3f)", Math.max(0, Math.min(1, v))));
                td.getStyle().set("color", v > 0.5 ? "white" : "inherit");
                td.setAttribute("title", "query " + labels[q] + " (" + q + ") → key " + labels[k] + " (" + k + "): " + Pictures.f("%.4f", v));
                tr.appendChild(td);
            }
            table.appendChild(tr);
        }
        map.getElement().appendChild(table);
        map.getElement().setAttribute("data-ms", Pictures.f("%.1f", (System.nanoTime() - t0) / 1e6));
    }
}
