package io.gptlens.web.playground;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import io.gptlens.core.tokenizer.Piece;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.TokenType;
import io.gptlens.core.tokenizer.Tokenizer;

/** The prompt's tokens as chips: visible piece above, id below; hover shows bytes and type. Text is always escaped. */
public class TokenStrip extends Div {

    public TokenStrip() {
        addClassName("chips");
    }

    /** Shows {@code tokens}. */
    public void show(Tokenizer t, int[] tokens) {
        removeAll();
        for (int id : tokens) {
            Piece p = t.piece(id, true);
            TokenType type = t.type(id);
            Span chip = new Span();
            chip.addClassName("chip");
            chip.addClassName(type.name().toLowerCase());
            Span piece = new Span(TokenDisplay.label(p, type));
            Span idSpan = new Span(Integer.toString(id));
            idSpan.addClassName("id");
            chip.add(piece, idSpan);
            chip.getElement().setAttribute("title", "id " + id + " · " + type.name().toLowerCase() + " · bytes " + TokenDisplay.hex(p));
            chip.getElement().setAttribute("data-id", Integer.toString(id));
            add(chip);
        }
    }
}
