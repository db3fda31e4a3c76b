package io.gptlens.web.trainingview;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.shared.Registration;
import io.gptlens.web.training.TrainingStatus;

/**
 * A run's checkpoints, newest first: each with its sample text and the nearest neighbours of a few
 * words in W_E, and buttons that fire {@link OpenAsked} to open it in the playground or the explorer.
 * Redrawn only when another run is shown or a checkpoint or its sample arrives, so a poll does not
 * rebuild it every second.
 */
class CheckpointsPanel extends Div {

    /** Where a checkpoint is to be opened. */
    enum Target {
        PLAYGROUND("playground"), EXPLORER("explorer");

        final String route;

        Target(String route) {
            this.route = route;
        }
    }

    static class OpenAsked extends ComponentEvent<CheckpointsPanel> {
        private final TrainingStatus run;
        private final TrainingStatus.Checkpoint checkpoint;
        private final Target target;

        OpenAsked(CheckpointsPanel source, TrainingStatus run, TrainingStatus.Checkpoint checkpoint, Target target) {
            super(source, true);
            this.run = run;
            this.checkpoint = checkpoint;
            this.target = target;
        }

        TrainingStatus run() {
            return run;
        }

        TrainingStatus.Checkpoint checkpoint() {
            return checkpoint;
        }

        Target target() {
            return target;
        }
    }

    private String shown = "";

    CheckpointsPanel() {
        setId("checkpoints");
    }

    void show(TrainingStatus s) {
        String key = s.id() + s.checkpoints().stream().map(c -> c.step() + ":" + (c.sample() != null)).toList();
        if (key.equals(shown)) {
            return;
        }
        shown = key;
        removeAll();
        for (TrainingStatus.Checkpoint c : s.checkpoints().reversed()) {
            Div box = new Div();
            box.addClassName("checkpoint");
            box.getElement().setAttribute("data-step", Long.toString(c.step()));
            box.add(new H3("Step " + c.step()));
            if (c.sample() != null) {
                Paragraph p = new Paragraph(c.sample());
                p.addClassName("checkpoint-sample");
                box.add(p);
                c.neighbours().forEach((w, ns) -> box.add(new Paragraph("Nearest to \"" + w + "\" in W_E: " + String.join(", ", ns))));
            } else {
                box.add(new Paragraph("(sampling ...)"));
            }
            Button open = new Button("Open in playground", e -> fireEvent(new OpenAsked(this, s, c, Target.PLAYGROUND)));
            Button explore = new Button("Explore W_E", e -> fireEvent(new OpenAsked(this, s, c, Target.EXPLORER)));
            box.add(new HorizontalLayout(open, explore));
            add(box);
        }
    }

    Registration addOpenAskedListener(ComponentEventListener<OpenAsked> l) {
        return addListener(OpenAsked.class, l);
    }
}
