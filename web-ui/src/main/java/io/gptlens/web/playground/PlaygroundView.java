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
import io.gptlens.web.steering.SteeringControl;
import io.gptlens.web.ui.MainLayout;
import io.gptlens.web.ui.ModelChoice;
import io.gptlens.web.ui.PageKeys;
import io.gptlens.web.walk.WalkLink;

import java.util.Arrays;
import java.util.List;

/**
 * The playground: type a prompt, see its tokens, generate with streaming, see the next-token
 * distribution and how the sampler settings reshape it, branch at any token, replay a run. A
 * workspace of components ({@link SettingsBar}, {@link PromptPanel}, {@link OutputPanel},
 * {@link RunsPanel}, {@link DistributionPanel}, {@link ProbePanel}, {@link ChainPanel}) wired
 * over {@link PlaygroundSession}, which owns this tab's model context; a {@link RunTracker} follows
 * the runs generated, branched and replayed there.
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
    private final RunTracker tracker;
    private final SteeringControl steering;
    private PlaygroundSession session;
    private int[] promptTokens = new int[0];
    private float[] promptLogits;
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
        // the tracker answers a click on a token and the runs' Show and Replay itself
        this.tracker = new RunTracker(() -> session, prompt, output, runs, settings, this::refreshDistribution, this::runEnded);
        settings.addSettingsChangedListener(e -> refreshDistribution());
        settings.addGenerateListener(e -> startGeneration(-1));
        settings.addStopListener(e -> stop());
        prompt.addPromptChangedListener(e -> promptChanged());
        prompt.addSubmittedListener(e -> startGeneration(-1));
        distribution.setId("distribution");
        distribution.addAlternativeChosenListener(e -> startGeneration(e.token()));
        this.steering = service.steering(() -> session, () -> new SteeringControl.Settings(prompt.text(), settings.temperature(), settings.seed(),
                Math.min(settings.maxTokens(), 64)), this::promptChanged);
        TextLabPanel lab = new TextLabPanel(service.completions(), () -> session != null ? session.model() : null);
        // a workspace: the controls in one bar; prompt, tokens and output left, the distribution right; the tools below
        Div left = new Div(prompt, output, runs, steering.panel(), steering.comparisonPanel());
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
                case "ArrowLeft" -> tracker.step(-1);
                default -> tracker.step(1);
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
        if (tracker.generating()) {
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
        tracker.clear();
        if (m == null) {
            return;
        }
        session = service.open(m);
        steering.modelChanged();
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
        if (tracker.current() == null) {
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
                if (tracker.current() == null || tracker.selected() < 0) {
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
        tracker.generate(promptTokens, forcedToken, onStep -> session.generate(promptTokens, chain(), settings.seed(), settings.maxTokens(),
                onStep, forcedToken >= 0 ? new int[]{forcedToken} : new int[0], chainPanel.runNatively()));
    }

    /** A run ended: a model chosen meanwhile, or one now under the same id, is taken up. */
    private void runEnded() {
        if (model.model() != session.model()) {
            modelChosen(model.model());
        }
    }

    /** Recomputes the distribution panel from stored logits: no model run. */
    void refreshDistribution() {
        if (session == null) {
            return;
        }
        Run.Focus at = Run.Focus.of(tracker.current(), tracker.selected(), promptLogits);
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
