package io.gptlens.web.walk;

import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Image;
import com.vaadin.flow.component.html.Span;
import io.gptlens.core.model.EmbeddingMatrix;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Stage 2, tokens → vectors: each token's row of W_E as a heat strip (one pixel per dimension; blue
 * negative, red positive, scaled to the row's largest magnitude) with its norm; a token's name
 * links to its neighbours in the explorer. Long prompts show their first rows; the rest on demand.
 */
final class VectorsStage extends Stage {

    VectorsStage() {
        super("stage-vectors", 2, "Tokens → vectors (rows of W_E)");
    }

    void show(Tokenizer t, String modelId, int[] tokens, WalkService.Embeddings e, EmbeddingMatrix we) {
        long t0 = System.nanoTime();
        int d = we.dimensions();
        caption(Pictures.f("W_E is %s: token id i picks row i, a point in %,d dimensions%s. W_E starts random and is learned in pre-training.",
                we.shape(), d, we.tied() ? " (W_U is the same matrix: tied)" : ""));
        body.removeAll();
        for (int i = 0; i < e.rows().length; i++) {
            int pos = e.from() + i;
            int id = tokens[pos];
            Div row = new Div();
            row.addClassName("strip-row");
            row.getElement().setAttribute("data-pos", Integer.toString(pos));
            Anchor name = new Anchor("explorer?model=" + url(modelId) + "&q=" + url("#" + id), TokenDisplay.label(t.piece(id, true), t.type(id)));
            name.getElement().setAttribute("title", "id " + id + ": its nearest rows of W_E in the explorer");
            name.addClassName("strip-name");
            Image strip = new Image(Pictures.strip(e.rows()[i]), "row " + id + " of W_E, " + d + " values");
            strip.addClassName("strip");
            Span norm = new Span(Pictures.f("‖x‖ %.3f", e.norms()[i]));
            norm.addClassName("strip-norm");
            row.add(name, strip, norm);
            body.add(row);
        }
        if (e.from() + e.rows().length < tokens.length) {
            body.add(new Span(Pictures.f("… rows %d to %d of %d tokens: click a token in stage 1 to see its row",
                    e.from() + e.rows().length, tokens.length - 1, tokens.length)));
        }
        ready(t0);
    }

    private static String url(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
