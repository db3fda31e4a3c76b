package io.gptlens.web.playground;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.progressbar.ProgressBar;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.gptlens.core.sampling.SamplerChains;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.plugins.TokenizerRegistry;
import io.gptlens.web.ui.MainLayout;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The playground: type a prompt, see its tokens, generate with streaming, see the next-token
 * distribution and how the sampler settings reshape it, branch at any token, replay a run.
 * An outline over {@link PlaygroundSession}, which owns this tab's model context.
 */
@Route(value = "", layout = MainLayout.class)
@PageTitle("Playground · GPTLens")
public class PlaygroundView extends VerticalLayout {

    static final int TOP_N = 10;

    private final PlaygroundService service;
    private final Select<String> modelSelect = new Select<>();
    private final TextArea prompt = new TextArea("Prompt");
    private final TokenStrip tokens = new TokenStrip();
    private final Select<String> tokenizerSelect = new Select<>();
    private final Span tokenizerNote = new Span();
    private final ProgressBar contextBar = new ProgressBar();
    private final Span tokenCount = new Span();
    private final NumberField temperature = new NumberField("Temperature");
    private final IntegerField topK = new IntegerField("Top-k");
    private final NumberField topP = new NumberField("Top-p");
    private final NumberField minP = new NumberField("Min-p");
    private final TextField seed = new TextField("Seed");
    private final IntegerField maxTokens = new IntegerField("Max tokens");
    private final Button generate = new Button("Generate");
    private final Button stop = new Button("Stop");
    private final Div output = new Div();
    private final DistributionPanel distribution = new DistributionPanel();
    private final TextField probe = new TextField("Probability of a token");
    private final Span probeResult = new Span();
    private final Div runsList = new Div();
    private final Span status = new Span();

    private final ChainEditor chainEditor;
    private final Checkbox nativeChain = new Checkbox("Run the chain inside llama.cpp");
    private final PipelinePanel pipeline = new PipelinePanel();
    private PlaygroundSession session;
    private int[] promptTokens = new int[0];
    private float[] promptLogits;
    private Run current;
    private int selected = -1;
    private boolean generating;
    private Runnable stopWatchingSamplers;
    private Runnable stopWatchingModels;

    public PlaygroundView(PlaygroundService service) {
        this.service = service;
        this.chainEditor = new ChainEditor(service.samplers().providers());
        chainEditor.addChainChangedListener(e -> refreshDistribution());
        configureControls();
        InsidePanel inside = new InsidePanel(service.internals(), () -> session != null ? new InsidePanel.Request(session.model(), promptTokens.clone()) : null);
        com.vaadin.flow.component.details.Details chainDetails = new com.vaadin.flow.component.details.Details("Sampler chain (custom) and pipeline",
                new VerticalLayout(chainEditor, nativeChain, pipeline));
        nativeChain.setId("native-chain");
        nativeChain.setTooltipText("llama.cpp runs the whole chain as one llama_sampler_chain; its own stages (llama.*) run in C and every "
                + "Java stage, plugins included, is wrapped as a native llama_sampler that calls back into Java. Same seed, same tokens.");
        chainDetails.setId("chain-details");
        chainDetails.setWidthFull();
        add(toolbar(), prompt, tokenRow(), new HorizontalLayout(outputColumn(), distributionColumn()), chainDetails, runsSection(), inside);
        setWidthFull();
    }

    private void configureControls() {
        modelSelect.setLabel("Model");
        modelSelect.setId("model-select");
        modelSelect.addValueChangeListener(e -> {
            if (e.isFromClient() || session == null) {
                openSession(e.getValue());
            }
        });
        prompt.setId("prompt");
        prompt.setWidthFull();
        prompt.setValueChangeMode(ValueChangeMode.LAZY);
        prompt.setValueChangeTimeout(150);
        prompt.setPlaceholder("Type a prompt, e.g. Once upon a time");
        prompt.addValueChangeListener(e -> promptChanged());
        tokens.setId("tokens");
        contextBar.setId("context-bar");
        contextBar.setWidth("12em");
        tokenCount.setId("token-count");
        temperature.setId("temperature");
        temperature.setMin(0);
        temperature.setMax(5);
        temperature.setStep(0.1);
        temperature.setStepButtonsVisible(true);
        temperature.setValue(1.0);
        temperature.setHelperText("0 = always the top token; up to 5 (hosted APIs cap it at 2)");
        temperature.setValueChangeMode(ValueChangeMode.EAGER);
        topK.setId("top-k");
        topK.setMin(0);
        topK.setValue(0);
        topK.setHelperText("0 = off");
        topP.setId("top-p");
        topP.setMin(0);
        topP.setMax(1);
        topP.setStep(0.05);
        topP.setValue(1.0);
        topP.setHelperText("1 = off");
        minP.setId("min-p");
        minP.setMin(0);
        minP.setMax(1);
        minP.setStep(0.01);
        minP.setValue(0.0);
        minP.setHelperText("0 = off");
        for (var f : List.of(temperature, topP, minP)) {
            f.setValueChangeMode(ValueChangeMode.EAGER);
            f.addValueChangeListener(e -> refreshDistribution());
        }
        topK.setValueChangeMode(ValueChangeMode.EAGER);
        topK.addValueChangeListener(e -> refreshDistribution());
        seed.setId("seed");
        seed.setValue(Long.toString(ThreadLocalRandom.current().nextLong(1L << 32)));
        seed.setPattern("[0-9]+");
        seed.setHelperText("same seed + same settings = same tokens");
        maxTokens.setId("max-tokens");
        maxTokens.setMin(1);
        maxTokens.setMax(4096);
        maxTokens.setValue(64);
        generate.setId("generate");
        generate.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        generate.addClickListener(e -> startGeneration(-1));
        stop.setId("stop");
        stop.setEnabled(false);
        stop.addClickListener(e -> {
            if (session != null) {
                session.stop();
            }
        });
        output.setId("output");
        output.addClassName("output");
        output.setWidthFull();
        distribution.setId("distribution");
        distribution.addAlternativeChosenListener(e -> startGeneration(e.token()));
        probe.setId("probe");
        probe.setValueChangeMode(ValueChangeMode.LAZY);
        probe.setHelperText("a token id or its exact text");
        probe.addValueChangeListener(e -> refreshProbe());
        probeResult.setId("probe-result");
        runsList.setId("runs");
        status.setId("status");
    }

    private HorizontalLayout toolbar() {
        HorizontalLayout bar = new HorizontalLayout(modelSelect, temperature, topK, topP, minP, seed, maxTokens, generate, stop);
        bar.setAlignItems(FlexComponent.Alignment.BASELINE);
        bar.getStyle().set("flex-wrap", "wrap");
        return bar;
    }

    private HorizontalLayout tokenRow() {
        tokenizerSelect.setLabel("Tokenizer");
        tokenizerSelect.setId("tokenizer-select");
        tokenizerSelect.setItemLabelGenerator(n -> n.equals(TokenizerRegistry.OWN) ? "the model's own" : n);
        tokenizerSelect.setTooltipText("Cut the prompt with the model's own tokenizer (llama.cpp) or with any tokenizer, plugins included, "
                + "that reads this model's vocabulary; generation then starts from those tokens.");
        tokenizerSelect.addValueChangeListener(e -> {
            if (e.isFromClient()) {
                promptChanged();
            }
        });
        tokenizerNote.setId("tokenizer-note");
        tokenizerNote.getStyle().set("font-size", "var(--lumo-font-size-s)").set("color", "var(--lumo-secondary-text-color)");
        VerticalLayout count = new VerticalLayout(tokenCount, contextBar, tokenizerSelect, tokenizerNote);
        count.setWidth("14em");
        count.getStyle().set("flex", "none");
        HorizontalLayout row = new HorizontalLayout(tokens, count);
        row.setWidthFull();
        row.setAlignItems(FlexComponent.Alignment.START); // chips keep their height beside the taller count column
        tokens.getStyle().set("flex", "1 1 0").set("min-width", "0");
        return row;
    }

    private VerticalLayout outputColumn() {
        VerticalLayout col = new VerticalLayout(new Span("Output (click a token to see its distribution; colour = its probability)"), output, status);
        col.setWidth("55%");
        col.setPadding(false);
        return col;
    }

    private VerticalLayout distributionColumn() {
        VerticalLayout col = new VerticalLayout(distribution, probe, probeResult);
        col.setWidth("45%");
        col.setPadding(false);
        return col;
    }

    private VerticalLayout runsSection() {
        VerticalLayout col = new VerticalLayout(new Span("Runs (branches are indented)"), runsList);
        col.setPadding(false);
        return col;
    }

    @Override
    protected void onAttach(AttachEvent e) {
        List<String> ids = generatingModels();
        modelSelect.setItems(ids);
        String wanted = e.getUI().getInternals().getActiveViewLocation().getQueryParameters().getSingleParameter("model").orElse(null);
        if (!ids.isEmpty()) {
            modelSelect.setValue(wanted != null && ids.contains(wanted) ? wanted : ids.getFirst());
        } else {
            status.setText("No model is loaded: load one on the Models page.");
        }
        UI ui = e.getUI();
        stopWatchingModels = service.models().onChange(() -> ui.access(this::modelsChanged));
        chainEditor.setProviders(service.samplers().providers());
        stopWatchingSamplers = service.samplers().onChange(() -> ui.access(() -> {
            chainEditor.setProviders(service.samplers().providers());
            String was = tokenizerSelect.getValue();
            refreshTokenizers();
            if (was != null && !was.equals(TokenizerRegistry.OWN)) {
                promptChanged(); // the chosen tokenizer's plugin may have gone or changed: cut the prompt again
            }
        }));
    }

    @Override
    protected void onDetach(DetachEvent e) {
        // the tab went away: stop its generation and free its context
        if (stopWatchingSamplers != null) {
            stopWatchingSamplers.run();
            stopWatchingSamplers = null;
        }
        if (stopWatchingModels != null) {
            stopWatchingModels.run();
            stopWatchingModels = null;
        }
        if (session != null) {
            session.close();
            session = null;
        }
    }

    private List<String> generatingModels() {
        return service.models().all().stream().filter(m -> m.model().canGenerate()).map(LoadedModel::id).toList();
    }

    /**
     * Models came, went or were replaced (a training run's newer checkpoint): offer the generating
     * ones, and move the session to the model now under its id unless a generation is running.
     */
    private void modelsChanged() {
        String chosen = modelSelect.getValue();
        List<String> ids = generatingModels();
        modelSelect.setItems(ids);
        String keep = chosen != null && ids.contains(chosen) ? chosen : ids.isEmpty() ? null : ids.getFirst();
        modelSelect.setValue(keep);
        boolean stale = session == null || keep == null
                || service.models().get(keep).map(m -> m != session.model()).orElse(true);
        if (stale && !generating) {
            openSession(keep);
            status.setText(keep == null ? "No model is loaded: load one on the Models page." : "Using " + keep + " (loaded "
                    + service.models().get(keep).map(m -> m.path().getFileName().toString()).orElse("") + ")");
        }
    }

    private void openSession(String id) {
        if (session != null) {
            session.close();
        }
        session = null;
        current = null;
        selected = -1;
        runsList.removeAll();
        output.removeAll();
        if (id == null) {
            return;
        }
        service.models().get(id).ifPresent(m -> session = service.open(m));
        refreshTokenizers();
        promptChanged();
    }

    /** Offers the tokenizers that read the session's model, keeping the choice when it still fits. */
    private void refreshTokenizers() {
        if (session == null) {
            tokenizerSelect.setItems(List.of(TokenizerRegistry.OWN));
            return;
        }
        String was = tokenizerSelect.getValue();
        List<String> names = service.tokenizers().choices(session.model()).stream().filter(TokenizerRegistry.Choice::supported)
                .map(TokenizerRegistry.Choice::name).toList();
        tokenizerSelect.setItems(names);
        tokenizerSelect.setValue(was != null && names.contains(was) ? was : TokenizerRegistry.OWN);
    }

    /**
     * The prompt's tokens from the chosen tokenizer, with a note comparing them to the model's
     * own; a tokenizer that fails is reported and the model's own is used.
     */
    private int[] tokenizePrompt() {
        int[] own = session.tokenize(prompt.getValue());
        String name = tokenizerSelect.getValue();
        if (name == null || name.equals(TokenizerRegistry.OWN)) {
            tokenizerNote.setText("");
            return own;
        }
        int[] ids;
        try {
            ids = service.tokenizers().forModel(session.model(), name).encode(prompt.getValue(), true, true);
        } catch (RuntimeException e) {
            tokenizerNote.setText(name + " failed, the model's own tokens are shown: " + e.getMessage());
            return own;
        }
        int first = java.util.Arrays.mismatch(ids, own);
        tokenizerNote.setText(first < 0 ? "Same " + ids.length + " tokens as the model's own tokenizer"
                : "Differs from the model's own tokenizer: " + ids.length + " vs " + own.length + " tokens, first at token " + first);
        return ids;
    }

    private void promptChanged() {
        if (session == null) {
            return;
        }
        promptTokens = tokenizePrompt();
        tokens.show(session.tokenizer(), promptTokens);
        tokenCount.setText(promptTokens.length + " / " + session.contextLength() + " tokens");
        contextBar.setValue(Math.min(1.0, promptTokens.length / (double) session.contextLength()));
        promptLogits = null;
        if (current == null) {
            renderOutput();
        }
        if (promptTokens.length == 0 || promptTokens.length >= session.contextLength()) {
            return;
        }
        UI ui = UI.getCurrent();
        int[] asked = promptTokens.clone();
        PlaygroundSession s = session;
        s.logitsAfter(asked).whenComplete((logits, err) -> ui.access(() -> {
            if (s == session && java.util.Arrays.equals(asked, promptTokens) && err == null) {
                promptLogits = logits;
                if (current == null || selected < 0) {
                    refreshDistribution();
                }
            }
        }));
    }

    /** The chain in use: the custom chain if one is set, else the one the settings describe (temperature 0 = greedy). */
    List<StageSpec> chain() {
        if (!chainEditor.isEmpty()) {
            return chainEditor.stages();
        }
        double t = temperature.getValue() == null ? 1.0 : Math.max(0, Math.min(5, temperature.getValue()));
        int k = topK.getValue() == null ? 0 : Math.max(0, topK.getValue());
        double p = topP.getValue() == null ? 1.0 : Math.max(0.01, Math.min(1, topP.getValue()));
        double m = minP.getValue() == null ? 0.0 : Math.max(0, Math.min(1, minP.getValue()));
        return SamplerChains.standard(t, k, p, m, seedValue());
    }

    long seedValue() {
        try {
            return Long.parseLong(seed.getValue().trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void startGeneration(int forcedToken) {
        if (session == null || generating) {
            return;
        }
        if (promptTokens.length == 0) {
            status.setText("Type a prompt first.");
            return;
        }
        UI ui = UI.getCurrent();
        CompletableFuture<Run> f;
        int max = maxTokens.getValue() == null ? 64 : maxTokens.getValue();
        if (forcedToken >= 0 && current != null && selected >= 0) {
            f = session.branch(current, selected, forcedToken, run -> ui.access(() -> showRun(run)));
        } else if (forcedToken >= 0) {
            f = session.generate(promptTokens, chain(), seedValue(), max, run -> ui.access(() -> showRun(run)), new int[]{forcedToken},
                    nativeChain.getValue());
        } else {
            f = session.generate(promptTokens, chain(), seedValue(), max, run -> ui.access(() -> showRun(run)), new int[0],
                    nativeChain.getValue());
        }
        setGenerating(true);
        selected = -1;
        f.whenComplete((run, err) -> ui.access(() -> {
            setGenerating(false);
            if (err != null) {
                status.setText("Failed: " + err.getMessage());
            } else {
                showRun(run);
            }
            renderRuns();
        }));
        renderRuns();
    }

    private void setGenerating(boolean on) {
        generating = on;
        generate.setEnabled(!on);
        stop.setEnabled(on);
        if (on) {
            status.setText("Generating …");
        }
    }

    private void showRun(Run run) {
        current = run;
        renderOutput();
        status.setText(run.finish().isEmpty() ? "Generating … " + run.steps().size() + " tokens"
                : run.steps().size() + " tokens · " + run.finish() + " · seed " + run.record().seed());
        if (selected < 0) {
            refreshDistribution();
        }
    }

    private void renderOutput() {
        output.removeAll();
        Span p = new Span(prompt.getValue());
        p.addClassName("prompt");
        output.add(p);
        if (current == null) {
            return;
        }
        List<Step> steps = current.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            Span t = new Span(s.text());
            t.addClassName("tok");
            t.setId("tok-" + i);
            t.getElement().setAttribute("data-id", Integer.toString(s.token()));
            t.getElement().setAttribute("title", s.label() + " · id " + s.token() + " · p " + DistributionPanel.pct(s.p()));
            t.getStyle().set("background", colour(s.p()));
            if (i == selected) {
                t.addClassName("selected");
            }
            int index = i;
            t.addClickListener(e -> {
                selected = index;
                renderOutput();
                refreshDistribution();
            });
            output.add(t);
        }
    }

    /** Red (unlikely) to green (certain), light enough to read black text on. */
    static String colour(double p) {
        return String.format(Locale.ROOT, "hsl(%.0f, 75%%, 82%%)", 120 * Math.max(0, Math.min(1, p)));
    }

    /** Recomputes the distribution panel from stored logits: no model run. */
    void refreshDistribution() {
        if (session == null) {
            return;
        }
        float[] logits;
        String heading;
        int chosen = -1;
        List<Step> steps = current == null ? List.of() : current.steps();
        if (selected >= 0 && selected < steps.size()) {
            Step s = steps.get(selected);
            logits = s.logits();
            chosen = s.token();
            heading = "Distribution at generated token " + (selected + 1) + " (chosen: " + s.label() + "); click another to branch";
        } else if (current != null && !steps.isEmpty() && current.finish().isEmpty()) {
            Step s = steps.getLast();
            logits = s.logits();
            chosen = s.token();
            heading = "Distribution at the latest token";
        } else {
            logits = promptLogits;
            heading = "Next-token distribution after the prompt; click a token to continue from it";
        }
        if (logits == null) {
            return;
        }
        try {
            DistributionModel model = new DistributionModel(service.samplers().providers(), logits, chain(), seedValue());
            distribution.show(heading, model, session.tokenizer(), TOP_N, chosen);
            com.vaadin.flow.server.VaadinSession vs = com.vaadin.flow.server.VaadinSession.getCurrent();
            if (vs != null) {
                vs.setAttribute(PlaygroundSnapshot.class, new PlaygroundSnapshot(session.model().id(), logits, heading));
            }
            pipeline.show(model.pipeline(), session.tokenizer());
            lastModel = model;
            refreshProbe();
        } catch (IllegalArgumentException ex) {
            status.setText(ex.getMessage());
        }
    }

    private DistributionModel lastModel;

    private void refreshProbe() {
        String q = probe.getValue() == null ? "" : probe.getValue();
        if (q.isEmpty() || lastModel == null || session == null) {
            probeResult.setText("");
            return;
        }
        int id;
        try {
            id = Integer.parseInt(q.trim());
        } catch (NumberFormatException e) {
            int[] ids = session.tokenizer().encode(q, false, false);
            if (ids.length != 1) {
                probeResult.setText("'" + q + "' is " + ids.length + " tokens, not one; try a token id");
                return;
            }
            id = ids[0];
        }
        if (id < 0 || id >= session.tokenizer().vocabularySize()) {
            probeResult.setText("No token " + id);
            return;
        }
        DistributionModel.Row r = lastModel.row(id);
        probeResult.setText("token " + id + ": p = " + String.format(Locale.ROOT, "%.6f", r.modelP()) + " (" + DistributionPanel.pct(r.modelP())
                + "), rank " + r.rank() + " of " + session.tokenizer().vocabularySize() + ", logit " + String.format(Locale.ROOT, "%.3f", r.logit())
                + ", after samplers " + DistributionPanel.pct(r.sampledP()));
    }

    private void renderRuns() {
        runsList.removeAll();
        if (session == null) {
            return;
        }
        for (Run r : session.runs()) {
            HorizontalLayout line = new HorizontalLayout();
            line.setAlignItems(FlexComponent.Alignment.BASELINE);
            line.getStyle().set("margin-left", (2 * r.depth()) + "em");
            Span title = new Span(r.title() + " · " + r.steps().size() + " tokens" + (r.finish().isEmpty() ? " …" : ""));
            RunRecord rec = r.record();
            title.getElement().setAttribute("title", "model " + rec.modelId() + " sha256 " + rec.modelSha256() + " · prompt tokens "
                    + java.util.Arrays.toString(rec.promptTokens()) + (rec.forced().length > 0 ? " · forced " + java.util.Arrays.toString(rec.forced()) : "")
                    + " · seed " + rec.seed() + " · chain " + Run.stagesText(rec.chain()) + (rec.nativeChain() ? " (run by llama.cpp)" : ""));
            Button show = new Button("Show", e -> {
                current = r;
                selected = -1;
                renderOutput();
                refreshDistribution();
            });
            show.setId("show-run-" + r.id());
            Button replay = new Button("Replay", e -> replay(r));
            replay.setId("replay-run-" + r.id());
            replay.setEnabled(!r.finish().isEmpty());
            line.add(title, show, replay);
            line.setId("run-" + r.id());
            runsList.add(line);
        }
    }

    private void replay(Run original) {
        if (session == null || generating) {
            return;
        }
        UI ui = UI.getCurrent();
        setGenerating(true);
        session.replay(original, run -> { }).whenComplete((run, err) -> ui.access(() -> {
            setGenerating(false);
            if (err != null) {
                status.setText("Replay failed: " + err.getMessage());
                return;
            }
            boolean same = java.util.Arrays.equals(run.tokens(), original.tokens());
            status.setText("Replay of #" + original.id() + " as #" + run.id() + ": " + (same ? "identical tokens ✓" : "different tokens ✗"));
            status.getElement().setAttribute("data-replay", same ? "identical" : "different");
            current = run;
            selected = -1;
            renderOutput();
            renderRuns();
        }));
    }
}
