package io.gptlens.web.walk;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import io.gptlens.core.sampling.ChainPreview;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.playground.ChainEditor;

import java.util.List;

/**
 * Stage 6, sample → next token: the sampler chain as a pipeline of stages, each with its own bars
 * (what it kept, renormalised; how many it removed), the token drawn, and the buttons that step the
 * walk one token ("Next token", Enter in the prompt) or stream ("Generate"; Esc stops).
 */
final class SampleStage extends Stage {

    static final int BARS = 5;

    final ChainEditor chain;
    private final Div pipeline = new Div();
    private final Span picked = new Span();
    private final Button next = new Button("Next token");
    private final Button generate = new Button("Generate");
    private final Button stop = new Button("Stop");

    SampleStage(ChainEditor chain) {
        super("stage-sample", 6, "Sample → next token");
        this.chain = chain;
        pipeline.setId("sample-pipeline");
        picked.setId("picked");
        next.setId("next-token");
        generate.setId("walk-generate");
        stop.setId("walk-stop");
        next.addThemeVariants(ButtonVariant.PRIMARY);
        stop.setEnabled(false);
        next.addClickListener(e -> fire(new WalkEvents.SampleAction(this, WalkEvents.Action.NEXT_TOKEN)));
        generate.addClickListener(e -> fire(new WalkEvents.SampleAction(this, WalkEvents.Action.GENERATE)));
        stop.addClickListener(e -> fire(new WalkEvents.SampleAction(this, WalkEvents.Action.STOP)));
        Div buttons = new Div(next, generate, stop, picked);
        buttons.addClassName("stage-controls");
        com.vaadin.flow.component.details.Details edit = new com.vaadin.flow.component.details.Details("Edit the chain", chain);
        edit.setId("walk-chain-details");
        body.add(pipeline, buttons, edit);
    }

    void generating(boolean on) {
        next.setEnabled(!on);
        generate.setEnabled(!on);
        stop.setEnabled(on);
    }

    void show(Tokenizer t, List<ChainPreview.Snapshot> snapshots, String pickedBy) {
        long t0 = System.nanoTime();
        pipeline.removeAll();
        ChainPreview.Snapshot prev = null;
        for (ChainPreview.Snapshot s : snapshots) {
            Div card = new Div();
            card.addClassName("pipe-stage");
            card.getElement().setAttribute("data-stage", s.stage());
            card.getElement().setAttribute("data-left", Integer.toString(s.ids().length));
            Span head = new Span(s.stage());
            head.addClassName("pipe-name");
            Span count = new Span(s.stage().equals("model") ? Pictures.f("%,d tokens", s.ids().length)
                    : Pictures.f("−%,d → %,d left", s.removed(), s.ids().length));
            count.addClassName("pipe-count");
            card.add(head, count);
            // the stage's effect on what came in: the incoming top tokens, each before (grey) and after (blue); removed ones marked
            ChainPreview.Snapshot in = prev == null ? s : prev;
            for (int i = 0; i < Math.min(BARS, in.ids().length); i++) {
                int id = in.ids()[i];
                float before = in.probs()[i];
                float after = s.p(id);
                Div row = new Div();
                row.addClassName("mini-bar");
                row.getElement().setAttribute("data-id", Integer.toString(id));
                row.getElement().setAttribute("data-before", Pictures.f("%.6f", before));
                row.getElement().setAttribute("data-after", Pictures.f("%.6f", after));
                Div was = new Div();
                was.addClassName("was");
                was.getStyle().set("width", Pictures.f("%.1f%%", 100 * before));
                Div now = new Div();
                now.getStyle().set("width", Pictures.f("%.1f%%", 100 * after));
                String label = TokenDisplay.label(t.piece(id, true), t.type(id));
                Span text = new Span(prev == null ? label + Pictures.f(" %.1f%%", 100 * after)
                        : after == 0 ? label + Pictures.f(" %.1f%% → removed", 100 * before) : label + Pictures.f(" %.1f%% → %.1f%%", 100 * before, 100 * after));
                if (prev != null && after == 0) {
                    row.addClassName("removed");
                }
                row.add(was, now, text);
                card.add(row);
            }
            prev = s;
            pipeline.add(card);
        }
        picked.setText(pickedBy);
        caption("Each stage reshapes the distribution: grey what came in, blue what it leaves (removed tokens struck out, the rest "
                + "renormalised); the picker draws one token");
        ready(t0);
    }
}
