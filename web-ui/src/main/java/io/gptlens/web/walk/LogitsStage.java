package io.gptlens.web.walk;

import com.vaadin.flow.component.html.Div;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.model.EmbeddingMatrix;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;

import java.util.List;

/**
 * Stage 4, last vector × W_U → logits: a histogram of the logits of the whole vocabulary (counts on a
 * log scale, so the few high logits that matter show next to the many low ones), the top ones
 * labelled where they fall, and W_U's shape written out.
 */
final class LogitsStage extends Stage {

    static final int BINS = 60;
    static final int LABELLED = 5;
    private static final int W = 640;
    private static final int H = 160;

    private final Div shape = new Div();
    private final Div chart = new Div();

    LogitsStage() {
        super("stage-logits", 4, "Last vector × W_U → logits");
        shape.setId("wu-shape");
        chart.setId("logit-histogram");
        body.add(shape, chart);
    }

    void show(Tokenizer t, float[] logits, EmbeddingMatrix wu) {
        long t0 = System.nanoTime();
        shape.setText(wu.role().symbol() + ": " + wu.shape() + " weights" + (wu.tied() ? " (the transpose of W_E: tied)" : " (" + wu.tensor() + ")"));
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            if (v != Float.NEGATIVE_INFINITY) {
                min = Math.min(min, v);
            }
            max = Math.max(max, v);
        }
        double width = Math.max(1e-6, (max - min) / BINS);
        int[] counts = new int[BINS];
        for (float v : logits) {
            if (v != Float.NEGATIVE_INFINITY) {
                counts[Math.min(BINS - 1, (int) ((v - min) / width))]++;
            }
        }
        double top = Math.log10(1 + java.util.Arrays.stream(counts).max().orElse(1));
        StringBuilder svg = new StringBuilder(Pictures.f("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' width='100%%' role='img'>", W, H + 22 + 12 * LABELLED));
        svg.append(Pictures.f("<title>%,d logits from %.2f to %.2f</title>", logits.length, min, max));
        double bw = (double) W / BINS;
        for (int b = 0; b < BINS; b++) {
            double h = counts[b] == 0 ? 0 : Math.max(1, H * Math.log10(1 + counts[b]) / top);
            svg.append(Pictures.f("<rect class='bin' x='%.1f' y='%.1f' width='%.1f' height='%.1f' data-count='%d'><title>%.2f to %.2f: %,d tokens</title></rect>",
                    b * bw, H - h, bw - 1, h, counts[b], min + b * width, min + (b + 1) * width, counts[b]));
        }
        List<TopN.Entry> best = TopN.of(logits, io.gptlens.core.distribution.Softmax.logSumExp(logits), LABELLED);
        for (int i = 0; i < best.size(); i++) {
            TopN.Entry e = best.get(i);
            double x = Math.min(W - 2, (e.logit() - min) / (max - min + 1e-9) * W);
            String label = TokenDisplay.label(t.piece(e.id(), true), t.type(e.id()));
            svg.append(Pictures.f("<line class='top' x1='%.1f' x2='%.1f' y1='0' y2='%d'/>", x, x, H));
            svg.append(Pictures.f("<text class='top-label' data-id='%d' x='%.1f' y='%d' text-anchor='end'>%s %.2f</text>",
                    e.id(), x, H + 28 + 12 * i, Pictures.xml(label), e.logit())); // under the axis's row, not on it
        }
        svg.append(Pictures.f("<text class='axis' x='0' y='%d'>%.1f</text><text class='axis' x='%d' y='%d' text-anchor='end'>%.1f</text></svg>",
                H + 12, min, W, H + 12, max));
        chart.getElement().setProperty("innerHTML", svg.toString());
        caption(Pictures.f("The last position's vector times each of the %,d columns of W_U: one logit per vocabulary entry (counts on a log scale; "
                + "top: %s)", logits.length, best.isEmpty() ? "-" : TokenDisplay.label(t.piece(best.getFirst().id(), true), t.type(best.getFirst().id()))));
        ready(t0);
    }
}
