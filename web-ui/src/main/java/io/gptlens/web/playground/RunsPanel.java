package io.gptlens.web.playground;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.shared.Registration;

import java.util.Arrays;
import java.util.List;

/**
 * The session's runs as a tree (branches indented), each with its record on hover and Show and
 * Replay buttons, which fire {@link RunAction}.
 */
public class RunsPanel extends VerticalLayout {

    /** What a person asked of a run. */
    public enum Action { SHOW, REPLAY }

    /** Show or Replay was pressed for {@code run}. */
    public static class RunAction extends ComponentEvent<RunsPanel> {
        private final Run run;
        private final Action action;

        RunAction(RunsPanel source, Run run, Action action) {
            super(source, true);
            this.run = run;
            this.action = action;
        }

        public Run run() {
            return run;
        }

        public Action action() {
            return action;
        }
    }

    private final Div list = new Div();

    public RunsPanel() {
        list.setId("runs");
        add(new Span("Runs (branches are indented)"), list);
        setPadding(false);
    }

    /** Lists {@code runs}; a run still going cannot be replayed yet. */
    public void show(List<Run> runs) {
        list.removeAll();
        for (Run r : runs) {
            HorizontalLayout line = new HorizontalLayout();
            line.setAlignItems(FlexComponent.Alignment.BASELINE);
            line.getStyle().set("margin-left", (2 * r.depth()) + "em");
            Span title = new Span(r.title() + " · " + r.steps().size() + " tokens" + (r.running() ? " …" : ""));
            RunRecord rec = r.record();
            title.getElement().setAttribute("title", "model " + rec.modelId() + " sha256 " + rec.modelSha256() + " · prompt tokens "
                    + Arrays.toString(rec.promptTokens()) + (rec.forced().length > 0 ? " · forced " + Arrays.toString(rec.forced()) : "")
                    + " · seed " + rec.seed() + " · chain " + Run.stagesText(rec.chain()) + (rec.nativeChain() ? " (run by llama.cpp)" : ""));
            Button show = new Button("Show", e -> fireEvent(new RunAction(this, r, Action.SHOW)));
            show.setId("show-run-" + r.id());
            Button replay = new Button("Replay", e -> fireEvent(new RunAction(this, r, Action.REPLAY)));
            replay.setId("replay-run-" + r.id());
            replay.setEnabled(!r.running());
            line.add(title, show, replay);
            line.setId("run-" + r.id());
            list.add(line);
        }
    }

    public Registration addRunActionListener(ComponentEventListener<RunAction> l) {
        return addListener(RunAction.class, l);
    }
}
