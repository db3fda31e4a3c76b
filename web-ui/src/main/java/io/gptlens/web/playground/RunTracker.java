package io.gptlens.web.playground;

import com.vaadin.flow.component.UI;
import io.gptlens.web.ui.ModelChoice;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The playground's runs as they go: which run the output shows, which of its steps is selected,
 * and whether a generation, branch or replay is under way. It starts them on the tab's
 * {@link PlaygroundSession}, streams each new token into the {@link OutputPanel} with the status
 * line, lists the runs in the {@link RunsPanel} and offers Generate or Stop in the
 * {@link SettingsBar}. The view hears through two callbacks when the focus moved (to redraw the
 * distribution) and when a run has ended (to take up a model chosen meanwhile).
 *
 * <p>Not a component and not thread-safe: every method runs under the UI's lock, and the session's
 * listeners come back through {@link UI#access}. Owns nothing; the view owns the session, which
 * {@code session} supplies as it is now (null when there is none).
 */
public final class RunTracker {

    private final Supplier<PlaygroundSession> session;
    private final PromptPanel prompt;
    private final OutputPanel output;
    private final RunsPanel runs;
    private final SettingsBar settings;
    private final Runnable focusChanged;
    private final Runnable ended;
    private Run current;
    private int selected = -1;
    private boolean generating;

    /**
     * A tracker that shows its runs in {@code output} and {@code runs}, under {@code prompt}'s text,
     * and answers a click on an output token (select it) and the runs' Show and Replay;
     * {@code focusChanged} is run when the step or run in focus changes, {@code ended} once a run has
     * ended while the tab still has a session.
     */
    RunTracker(Supplier<PlaygroundSession> session, PromptPanel prompt, OutputPanel output, RunsPanel runs, SettingsBar settings,
               Runnable focusChanged, Runnable ended) {
        this.session = session;
        this.prompt = prompt;
        this.output = output;
        this.runs = runs;
        this.settings = settings;
        this.focusChanged = focusChanged;
        this.ended = ended;
        output.addTokenSelectedListener(e -> select(current, e.index()));
        runs.addRunActionListener(e -> {
            if (e.action() == RunsPanel.Action.SHOW) {
                select(e.run(), -1);
            } else {
                replay(e.run());
            }
        });
    }

    /** The run shown, or null for none. */
    Run current() {
        return current;
    }

    /** The selected step of the run shown, or -1 for none. */
    int selected() {
        return selected;
    }

    /** True while a generation, branch or replay runs. */
    boolean generating() {
        return generating;
    }

    /** Forgets the run shown and its selection, and empties the runs list and the output (a new session or none). */
    void clear() {
        current = null;
        selected = -1;
        runs.show(List.of());
        output.clear();
    }

    /**
     * Generates from the prompt. With a token ({@code forcedToken} not -1) and a step of the run
     * shown selected, it branches that run there; else {@code fresh} starts a new run with the step
     * listener it is handed (the view forces {@code forcedToken} first there, when given). Nothing
     * starts while a run is going; without a session or prompt tokens the status says why.
     */
    void generate(int[] promptTokens, int forcedToken, Function<Consumer<Run>, CompletableFuture<Run>> fresh) {
        if (generating) {
            return;
        }
        PlaygroundSession s = session.get();
        if (s == null) {
            output.status(ModelChoice.NONE);
            return;
        }
        if (promptTokens.length == 0) {
            output.status("Type a prompt first.");
            return;
        }
        UI ui = UI.getCurrent();
        Consumer<Run> onStep = run -> ui.access(() -> show(run));
        CompletableFuture<Run> f = forcedToken >= 0 && current != null && selected >= 0
                ? s.branch(current, selected, forcedToken, onStep)
                : fresh.apply(onStep);
        selected = -1;
        track(f, "Failed: ", this::show);
    }

    /** Runs {@code original}'s record again and says whether the tokens came out the same; nothing while a run is going. */
    private void replay(Run original) {
        PlaygroundSession s = session.get();
        if (s == null || generating) {
            return;
        }
        track(s.replay(original, run -> { }), "Replay failed: ", run -> {
            boolean same = Arrays.equals(run.tokens(), original.tokens());
            select(run, -1);
            output.status("Replay of #" + original.id() + " as #" + run.id() + ": " + (same ? "identical tokens ✓" : "different tokens ✗"));
            output.replayVerdict(same);
        });
    }

    /** Shows {@code f}'s run as going until it ends, then hands it to {@code done}; {@code ended} follows. */
    private void track(CompletableFuture<Run> f, String failed, Consumer<Run> done) {
        UI ui = UI.getCurrent();
        generating = true;
        settings.setGenerating(true);
        output.status("Generating …");
        runs.show(session.get().runs());
        f.whenComplete((run, err) -> ui.access(() -> {
            generating = false;
            settings.setGenerating(false);
            PlaygroundSession s = session.get();
            if (s == null) {
                return; // the tab went away meanwhile
            }
            if (err != null) {
                output.status(failed + err.getMessage());
            } else {
                done.accept(run);
            }
            runs.show(s.runs());
            ended.run();
        }));
    }

    /** Shows {@code run} as it is now (a new token, or its end), keeping the selection. */
    private void show(Run run) {
        current = run;
        output.show(prompt.text(), current, selected);
        output.status(run.running() ? "Generating … " + run.steps().size() + " tokens"
                : run.steps().size() + " tokens · " + run.endingText() + " · seed " + run.record().seed());
        if (selected < 0) {
            focusChanged.run();
        }
    }

    /** The token {@code by} after (or before) the selected one in the run shown, as a click on it would. */
    void step(int by) {
        if (current != null && !current.steps().isEmpty() && !generating) {
            select(current, Math.max(0, Math.min(current.steps().size() - 1, (selected < 0 ? current.steps().size() : selected) + by)));
        }
    }

    /** Shows {@code run} with step {@code index} selected (-1: none). */
    private void select(Run run, int index) {
        current = run;
        selected = index;
        output.show(prompt.text(), current, selected);
        focusChanged.run();
    }
}
