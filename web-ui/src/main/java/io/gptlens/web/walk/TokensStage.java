package io.gptlens.web.walk;

import com.vaadin.flow.component.html.Span;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;

/** Stage 1, text → tokens: a chip per token with its id; hover shows its bytes; the count against the context length. */
final class TokensStage extends Stage {

    private int selected = -1;

    TokensStage() {
        super("stage-tokens", 1, "Text → tokens");
    }

    void show(Tokenizer t, int[] tokens, int contextLength) {
        long t0 = System.nanoTime();
        caption(Pictures.f("%,d tokens of a %,d-token context; the tokenizer cuts the text into pieces of its %,d-entry vocabulary",
                tokens.length, contextLength, t.vocabularySize()));
        body.removeAll();
        body.addClassName("chips");
        for (int i = 0; i < tokens.length; i++) {
            int id = tokens[i];
            Span chip = new Span();
            chip.addClassName("chip");
            chip.getElement().setAttribute("data-id", Integer.toString(id));
            chip.getElement().setAttribute("data-pos", Integer.toString(i));
            Span text = new Span(TokenDisplay.label(t.piece(id, true), t.type(id)));
            Span idText = new Span(Integer.toString(id));
            idText.addClassName("id");
            chip.add(text, idText);
            chip.getElement().setAttribute("title", "position " + i + ", id " + id + ", bytes " + hex(t.piece(id, true).bytes()));
            int pos = i;
            chip.addClickListener(e -> fire(new WalkEvents.TokenChosen(this, pos)));
            body.add(chip);
        }
        select(selected < tokens.length ? selected : -1);
        ready(t0);
    }

    /** Outlines the token at {@code position} (-1: none). */
    void select(int position) {
        selected = position;
        body.getChildren().forEach(c -> c.getElement().getClassList().set("selected",
                Integer.toString(position).equals(c.getElement().getAttribute("data-pos"))));
    }

    static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (byte x : bytes) {
            b.append(b.isEmpty() ? "" : " ").append(Pictures.f("%02x", x & 0xff));
        }
        return b.isEmpty() ? "(none)" : b.toString();
    }
}
