package io.gptlens.web.walk;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.ComponentUtil;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.router.RouteAlias;
import com.vaadin.flow.shared.Registration;
import io.gptlens.web.internals.InternalsService;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.playground.ChainEditor;
import io.gptlens.web.playground.PlaygroundService;
import io.gptlens.web.playground.PlaygroundSession;
import io.gptlens.web.steering.SteeringControl;
import io.gptlens.web.ui.MainLayout;
import io.gptlens.web.ui.ModelChoice;
import io.gptlens.web.ui.PageKeys;

import java.util.List;

/**
 * The walk, GPTLens's home page: a prompt goes through the GPT stage by stage, each stage a component
 * drawing the loaded model's real numbers. The view only wires the stages' events to the services;
 * the URL keeps model, prompt, temperature and chain ({@link WalkAddress}), so a link reproduces the walk.
 * Keys: Enter in the prompt generates, Esc stops a generation, ← and → move along the tokens.
 * The model's work runs off the UI thread ({@link ModelWork}); the sample stage's picks and runs are {@link WalkSampling}'s.
 */
@Route(value = "walk", layout = MainLayout.class)
@RouteAlias(value = "", layout = MainLayout.class)
@PageTitle("GPTLens: walk through a GPT")
public class WalkView extends Div implements BeforeEnterObserver {

    private final PlaygroundService playground;
    private final WalkService service;
    private final ModelChoice model;
    private final WalkBar bar;
    private final TokensStage tokensStage = new TokensStage();
    private final VectorsStage vectors = new VectorsStage();
    private final BlocksStage blocks = new BlocksStage();
    private final LogitsStage logitsStage = new LogitsStage();
    private final SoftmaxStage softmax = new SoftmaxStage();
    private final SampleStage sample;
    private final WalkAddress address;
    private final ModelWork work;
    private final WalkSampling sampling;
    private final SteeringControl steering;
    private Registration keys;
    private PlaygroundSession session;
    private int[] tokens = new int[0];
    private float[] logits;
    private int layer;
    private int selected = -1;

    public WalkView(PlaygroundService playground, WalkService service) {
        this.playground = playground;
        this.service = service;
        this.sample = new SampleStage(new ChainEditor(playground.samplers().providers()));
        setId("walk");
        addClassName("walk");
        this.model = new ModelChoice(playground.models());
        model.addChosenListener(e -> openSession(e.model()));
        this.bar = new WalkBar(model);
        this.address = new WalkAddress(bar, model, softmax, sample.chain);
        this.work = new ModelWork(() -> tokens, bar::status);
        this.sampling = new WalkSampling(service, bar, sample, softmax, List.of(blocks, logitsStage, softmax, sample), () -> session);
        ComponentUtil.addListener(bar, WalkEvents.PromptEdited.class, e -> walk(null));
        ComponentUtil.addListener(bar, WalkEvents.SampleAction.class, e -> generate());
        // steering changes the model's output: stages 4 to 6 (the grid and heads are captured unsteered)
        this.steering = playground.steering(() -> session, () -> new SteeringControl.Settings(bar.prompt(), softmax.temperature(), 1L, 32),
                this::steered);
        Div stages = new Div(tokensStage, vectors, blocks, logitsStage, softmax, sample);
        stages.addClassName("walk-stages");
        add(bar, steering.panel(), steering.comparisonPanel(), stages);
        tokensStage.on(WalkEvents.TokenChosen.class, e -> select(e.position));
        blocks.on(WalkEvents.LayerChosen.class, e -> capture(e.layer));
        blocks.on(WalkEvents.LensWanted.class, e -> lens(e.position));
        softmax.on(WalkEvents.TemperatureChanged.class, e -> {
            softmax.setTemperature(e.temperature);
            sampleStage();
        });
        sample.on(WalkEvents.SampleAction.class, e -> {
            switch (e.action) {
                case NEXT_TOKEN -> step();
                case GENERATE -> generate();
                case STOP -> sampling.stop();
            }
        });
        sample.chain.addChainChangedListener(e -> sampleStage());
    }

    @Override
    public void beforeEnter(BeforeEnterEvent e) {
        address.enter(e.getLocation().getQueryParameters());
    }

    @Override
    protected void onAttach(AttachEvent e) {
        keys = PageKeys.on(e.getUI(), List.of("Escape"), List.of("ArrowLeft", "ArrowRight"), this::key);
    }

    @Override
    protected void onDetach(DetachEvent e) {
        sampling.stop();
        keys.remove();
        if (session != null) {
            session.close();
            session = null;
        }
    }

    private void key(String key) {
        switch (key) {
            case "Escape" -> sampling.stop();
            case "ArrowLeft" -> select(Math.max(0, selected - 1));
            case "ArrowRight" -> select(Math.min(tokens.length - 1, selected + 1));
            default -> { }
        }
    }

    /** The model chosen, or the one now under its id: walk again on it. */
    private void openSession(LoadedModel m) {
        if (session != null) {
            session.close();
            session = null;
        }
        logits = null;
        if (m == null) {
            bar.status(ModelChoice.NONE);
        } else {
            session = playground.open(m);
            steering.modelChanged();
            layer = m.model().info().layers() - 1;
            walk(null);
        }
    }

    /** Walks the prompt's tokens (or {@code given} ones) through every stage; the model's stages arrive as they are computed. */
    private void walk(int[] given) {
        if (session == null) {
            return;
        }
        LoadedModel m = session.model();
        int[] t = given != null ? given : session.tokenize(bar.prompt());
        if (t.length == 0 || t.length > InternalsService.MAX_TOKENS) {
            bar.status("The walk shows prompts of 1 to " + InternalsService.MAX_TOKENS + " tokens; this one has " + t.length);
            return;
        }
        tokens = t;
        logits = null;
        tokensStage.show(session.tokenizer(), t, session.contextLength());
        showVectors(0);
        blocks.prompt(session.tokenizer(), t, service.hasLens(m));
        blocks.pending("Running the model …");
        output(t);
        capture(layer);
        if (blocks.mode() == BlocksStage.Mode.LENS) {
            lens(t.length - 1);
        }
    }

    /** Stages 4 to 6 for {@code t}: the model's output, as the session is steered now. */
    private void output(int[] t) {
        LoadedModel m = session.model();
        List.of(logitsStage, softmax, sample).forEach(s -> s.pending("Running the model …"));
        work.run(() -> session.logitsAfter(t).join(), l -> {
            logits = l;
            logitsStage.show(session.tokenizer(), l, m.model().unembeddings());
            softmax.logits(session.tokenizer(), l);
            sampleStage();
        }, t);
    }

    /** The steering changed: the output again (the grid and heads are captured unsteered); a stream's end walks anyway. */
    private void steered() {
        if (session != null && tokens.length > 0 && !sampling.streaming()) {
            output(tokens);
        }
    }

    private void capture(int l) {
        layer = l;
        int[] t = tokens;
        LoadedModel m = session.model();
        work.run(() -> service.blocks(m, t, l), blocks::show, t);
    }

    private void lens(int position) {
        int[] t = tokens;
        LoadedModel m = session.model();
        work.run(() -> service.lens(m, t, position), top -> blocks.lens(position, top), t);
    }

    /** A token chosen (clicked, or stepped to with the arrows): its chip, its strip, and the logit lens at it. */
    private void select(int position) {
        selected = position;
        tokensStage.select(position);
        if (session != null && position >= WalkService.MAX_STRIPS) {
            showVectors(position);
        }
        if (session != null && blocks.mode() == BlocksStage.Mode.LENS) {
            lens(position);
        }
    }

    private void showVectors(int from) {
        LoadedModel m = session.model();
        vectors.show(session.tokenizer(), m.id(), tokens, service.embeddings(m, tokens, from), m.model().embeddings());
    }

    private void sampleStage() {
        if (logits != null) {
            sampling.draw(logits, tokens.length);
            address.update(session.model().id());
        }
    }

    /** One token: the pick is appended and the walk runs again. */
    private void step() {
        if (sampling.drawn() && logits != null) {
            walk(sampling.extend(tokens, sampling.pick(tokens.length)));
        }
    }

    /**
     * Streams tokens with the chain as it is now; only the tokens stage follows, since walking a 24-layer
     * model again per token would queue captures faster than they finish (the whole walk is drawn at the end).
     */
    private void generate() {
        if (session == null || logits == null) {
            return;
        }
        sampling.generate(tokens, id -> {
            tokens = sampling.extend(tokens, id);
            tokensStage.show(session.tokenizer(), tokens, session.contextLength());
        }, () -> walk(tokens));
    }
}
