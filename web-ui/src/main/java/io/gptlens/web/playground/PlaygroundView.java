package io.gptlens.web.playground;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.VaadinSession;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.plugins.TokenizerRegistry;
import io.gptlens.web.ui.MainLayout;
import io.gptlens.web.ui.ModelChoice;
import io.gptlens.web.ui.PageKeys;
import io.gptlens.web.walk.WalkLink;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The playground: type a prompt, see its tokens, generate with streaming, see the next-token
 * distribution and how the sampler settings reshape it, branch at any token, replay a run. A
 * workspace of components ({@link SettingsBar}, {@link PromptPanel}, {@link OutputPanel},
 * {@link RunsPanel}, {@link DistributionPanel}, {@link ProbePanel}, {@link ChainPanel}) wired
 * over {@link PlaygroundSession}, which owns this tab's model context.
 */
@Route(value = "playground", layout = MainLayout.class)
@PageTitle("Playground · GPTLens")
public class PlaygroundView extends VerticalLayout implements BeforeEnterObserver {

    static final int TOP_N = 10;

    private final PlaygroundService service;
    private final ModelChoice model;
    private final SettingsBar settings;
    private final PromptPanel prompt = new PromptPanel();
    private final OutputPanel output = new OutputPanel();
    private final RunsPanel runs = new RunsPanel();
    private final DistributionPanel distribution = new DistributionPanel();
    private final ProbePanel probe = new ProbePanel();
    private final ChainPanel chainPanel;
    private PlaygroundSession session;
    private int[] promptTokens = new int[0];
    private float[] promptLogits;
    private Run current;
    private int selected = -1;
    private boolean generating;
    private Runnable stopWatchingSamplers;
    private Runnable stopKeys;

    public PlaygroundView(PlaygroundService service) {
        this.service = service;
        this.chainPanel = new ChainPanel(service.samplers().providers());
        chainPanel.addChainChangedListener(e -> refreshDistribution());
        this.model = new ModelChoice(service.models());
        model.setId("model-select");
        model.addChosenListener(e -> modelChosen(e.model()));
        this.settings = new SettingsBar(model);
        settings.addSettingsChangedListener(e -> refreshDistribution());
        settings.addGenerateListener(e -> startGeneration(-1));
        settings.addStopListener(e -> stop());
        prompt.addPromptChangedListener(e -> promptChanged());
        prompt.addSubmittedListener(e -> startGeneration(-1));
        output.addTokenSelectedListener(e -> select(current, e.index()));
        runs.addRunActionListener(e -> {
            if (e.action() == RunsPanel.Action.SHOW) {
                select(e.run(), -1);
            } else {
                replay(e.run());
            }
        });
        distribution.setId("distribution");
        distribution.addAlternativeChosenListener(e -> startGeneration(e.token()));
        TextLabPanel lab = new TextLabPanel(service.completions(), () -> session != null ? session.model() : null);
        // a workspace: the controls in one bar; prompt, tokens and output left, the distribution right; the tools below
        Div left = new Div(prompt, output, runs);
        left.addClassName("workspace-main");
        Div right = new Div(distribution, probe, chainPanel);
        right.addClassName("workspace-side");
        Div workspace = new Div(left, right);
        workspace.addClassName("workspace");
        add(settings, workspace, lab);
        setWidthFull();
    }

    @Override
    public void beforeEnter(BeforeEnterEvent e) {
        model.prefer(e.getLocation().getQueryParameters().getSingleParameter("model").orElse(null));
    }

    @Override
    protected void onAttach(AttachEvent e) {
        UI ui = e.getUI();
        chainPanel.setProviders(service.samplers().providers());
        // Esc stops from anywhere; ← → step through the output's tokens outside text fields
        stopKeys = PageKeys.on(ui, List.of("Escape"), List.of("ArrowLeft", "ArrowRight"), k -> {
            switch (k) {
                case "Escape" -> stop();
                case "ArrowLeft" -> step(-1);
                default -> step(1);
            }
        })::remove;
        stopWatchingSamplers = service.samplers().onChange(() -> ui.access(() -> {
            chainPanel.setProviders(service.samplers().providers());
            String was = prompt.tokenizer();
            refreshTokenizers();
            if (!was.equals(TokenizerRegistry.OWN)) {
                promptChanged(); // the chosen tokenizer's plugin may have gone or changed: cut the prompt again
            }
        }));
    }

    @Override
    protected void onDetach(DetachEvent e) {
        // the tab went away: stop its generation and free its context
        stopWatchingSamplers.run();
        stopKeys.run();
        openSession(null);
    }

    /** The model chosen, or the one now under its id (a training run's newer checkpoint); a running generation finishes first. */
    private void modelChosen(LoadedModel m) {
        if (generating) {
            return; // picked up when the generation ends
        }
        boolean replaced = session != null && m != null && session.model().id().equals(m.id());
        openSession(m);
        output.status(m == null ? ModelChoice.NONE : replaced ? "Using " + m.id() + " (loaded " + m.path().getFileName() + ")" : "");
    }

    private void openSession(LoadedModel m) {
        if (session != null) {
            session.close();
        }
        session = null;
        current = null;
        selected = -1;
        runs.show(List.of());
        output.clear();
        if (m == null) {
            return;
        }
        session = service.open(m);
        refreshTokenizers();
        promptChanged();
    }

    private void refreshTokenizers() {
        prompt.setTokenizers(session == null ? List.of(TokenizerRegistry.OWN) : service.tokenizerNames(session.model()));
    }

    private void promptChanged() {
        if (session == null) {
            return;
        }
        PlaygroundService.PromptTokens cut = service.tokenize(session, prompt.text(), prompt.tokenizer());
        promptTokens = cut.ids();
        prompt.show(session.tokenizer(), promptTokens, session.contextLength(), cut.note());
        prompt.walkTo(WalkLink.of(session.model().id(), prompt.text(), chain()).href());
        promptLogits = null;
        if (current == null) {
            output.show(prompt.text(), null, -1);
        }
        if (promptTokens.length == 0 || promptTokens.length >= session.contextLength()) {
            return;
        }
        UI ui = UI.getCurrent();
        int[] asked = promptTokens.clone();
        PlaygroundSession s = session;
        s.logitsAfter(asked).whenComplete((logits, err) -> ui.access(() -> {
            if (s == session && Arrays.equals(asked, promptTokens) && err == null) {
                promptLogits = logits;
                if (current == null || selected < 0) {
                    refreshDistribution();
                }
            }
        }));
    }

    /** The chain in use: the custom chain if one is set, else the one the settings describe. */
    List<StageSpec> chain() {
        return chainPanel.custom().orElseGet(settings::chain);
    }

    private void stop() {
        if (session != null) {
            session.stop();
        }
    }

    private void startGeneration(int forcedToken) {
        if (generating) {
            return;
        }
        if (session == null) {
            output.status(ModelChoice.NONE);
            return;
        }
        if (promptTokens.length == 0) {
            output.status("Type a prompt first.");
            return;
        }
        UI ui = UI.getCurrent();
        java.util.function.Consumer<Run> onStep = run -> ui.access(() -> showRun(run));
        CompletableFuture<Run> f = forcedToken >= 0 && current != null && selected >= 0
                ? session.branch(current, selected, forcedToken, onStep)
                : session.generate(promptTokens, chain(), settings.seed(), settings.maxTokens(), onStep,
                        forcedToken >= 0 ? new int[]{forcedToken} : new int[0], chainPanel.runNatively());
        selected = -1;
        track(f, "Failed: ", this::showRun);
    }

    private void replay(Run original) {
        if (session == null || generating) {
            return;
        }
        track(session.replay(original, run -> { }), "Replay failed: ", run -> {
            boolean same = Arrays.equals(run.tokens(), original.tokens());
            select(run, -1);
            output.status("Replay of #" + original.id() + " as #" + run.id() + ": " + (same ? "identical tokens ✓" : "different tokens ✗"));
            output.replayVerdict(same);
        });
    }

    /** Shows {@code f}'s run as going until it ends, then hands it to {@code done}; a model changed meanwhile is taken up after. */
    private void track(CompletableFuture<Run> f, String failed, java.util.function.Consumer<Run> done) {
        UI ui = UI.getCurrent();
        generating = true;
        settings.setGenerating(true);
        output.status("Generating …");
        runs.show(session.runs());
        f.whenComplete((run, err) -> ui.access(() -> {
            generating = false;
            settings.setGenerating(false);
            if (session == null) {
                return; // the tab went away meanwhile
            }
            if (err != null) {
                output.status(failed + err.getMessage());
            } else {
                done.accept(run);
            }
            runs.show(session.runs());
            if (model.model() != session.model()) {
                modelChosen(model.model());
            }
        }));
    }

    private void showRun(Run run) {
        current = run;
        output.show(prompt.text(), current, selected);
        output.status(run.running() ? "Generating … " + run.steps().size() + " tokens"
                : run.steps().size() + " tokens · " + run.endingText() + " · seed " + run.record().seed());
        if (selected < 0) {
            refreshDistribution();
        }
    }

    /** The token {@code by} after (or before) the selected one in the run shown, as a click on it would. */
    private void step(int by) {
        if (current != null && !current.steps().isEmpty() && !generating) {
            select(current, Math.max(0, Math.min(current.steps().size() - 1, (selected < 0 ? current.steps().size() : selected) + by)));
        }
    }

    private void select(Run run, int index) {
        current = run;
        selected = index;
        output.show(prompt.text(), current, selected);
        refreshDistribution();
    }

    /** Recomputes the distribution panel from stored logits: no model run. */
    void refreshDistribution() {
        if (session == null) {
            return;
        }
        Run.Focus at = Run.Focus.of(current, selected, promptLogits);
        if (at.logits() == null) {
            return;
        }
        try {
            DistributionModel model = new DistributionModel(service.samplers().providers(), at.logits(), chain(), settings.seed());
            distribution.show(at.heading(), model, session.tokenizer(), TOP_N, at.chosen());
            VaadinSession.getCurrent().setAttribute(PlaygroundSnapshot.class, new PlaygroundSnapshot(session.model().id(), at.logits(), at.heading()));
            chainPanel.showPipeline(model.pipeline(), session.tokenizer());
            probe.show(model, session.tokenizer());
            prompt.walkTo(WalkLink.of(session.model().id(), prompt.text(), chain()).href());
        } catch (IllegalArgumentException ex) {
            output.status(ex.getMessage());
        }
    }
}
