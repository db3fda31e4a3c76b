package io.gptlens.web.walk;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.ComponentUtil;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.router.RouteAlias;
import com.vaadin.flow.shared.Registration;
import io.gptlens.core.sampling.ChainPreview;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.web.internals.InternalsService;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.playground.ChainEditor;
import io.gptlens.web.playground.PlaygroundService;
import io.gptlens.web.playground.PlaygroundSession;
import io.gptlens.web.ui.MainLayout;
import io.gptlens.web.ui.ModelChoice;
import io.gptlens.web.ui.PageKeys;

import java.util.Arrays;
import java.util.List;

/**
 * The walk, GPTLens's home page: a prompt goes through the GPT stage by stage, each stage a component
 * drawing the loaded model's real numbers. The view only wires the stages' events to the services;
 * the URL keeps model, prompt, temperature and chain ({@link WalkLink}), so a link reproduces the walk.
 * Keys: Enter in the prompt generates, Esc stops a generation, ← and → move along the tokens.
 */
@Route(value = "walk", layout = MainLayout.class)
@RouteAlias(value = "", layout = MainLayout.class)
@PageTitle("GPTLens: walk through a GPT")
public class WalkView extends Div implements BeforeEnterObserver {

    static final String DEFAULT_PROMPT = "Once upon a time";
    static final int GENERATE_MAX = 64;
    static final long SEED = 42;

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
    private Registration keys;
    private PlaygroundSession session;
    private WalkLink link;
    private int[] tokens = new int[0];
    private List<ChainPreview.Snapshot> pipeline;
    private float[] logits;
    private int layer;
    private int selected = -1;
    private volatile boolean stopRequested;

    public WalkView(PlaygroundService playground, WalkService service) {
        this.playground = playground;
        this.service = service;
        this.sample = new SampleStage(new ChainEditor(playground.samplers().providers()));
        setId("walk");
        addClassName("walk");
        this.model = new ModelChoice(playground.models());
        model.addChosenListener(e -> openSession(e.model()));
        this.bar = new WalkBar(model);
        ComponentUtil.addListener(bar, WalkEvents.PromptEdited.class, e -> walk(null));
        ComponentUtil.addListener(bar, WalkEvents.SampleAction.class, e -> generate());
        Div stages = new Div(tokensStage, vectors, blocks, logitsStage, softmax, sample);
        stages.addClassName("walk-stages");
        add(bar, stages);
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
                case STOP -> stopRequested = true;
            }
        });
        sample.chain.addChainChangedListener(e -> sampleStage());
    }

    @Override
    public void beforeEnter(BeforeEnterEvent e) {
        try {
            link = WalkLink.parse(e.getLocation().getQueryParameters(), DEFAULT_PROMPT);
            link.chain().forEach(s -> sample.chain.addStage(s.name(), s.params()));
        } catch (RuntimeException bad) { // a hand-edited link: say so, walk with the defaults
            bar.status("The link was not understood (" + bad.getMessage() + "): the defaults are used");
            link = new WalkLink(null, DEFAULT_PROMPT, 1, List.of());
        }
        softmax.setTemperature(link.temperature());
        bar.setPrompt(link.prompt());
        model.prefer(link.model()); // before the choice attaches and walks
    }

    @Override
    protected void onAttach(AttachEvent e) {
        keys = PageKeys.on(e.getUI(), List.of("Escape"), List.of("ArrowLeft", "ArrowRight"), this::key);
    }

    @Override
    protected void onDetach(DetachEvent e) {
        stopRequested = true;
        keys.remove();
        if (session != null) {
            session.close();
            session = null;
        }
    }

    private void key(String key) {
        switch (key) {
            case "Escape" -> stopRequested = true;
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
        if (m == null) {
            bar.status(ModelChoice.NONE);
        } else {
            session = playground.open(m);
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
        List.of(blocks, logitsStage, softmax, sample).forEach(s -> s.pending("Running the model …"));
        background(() -> session.logitsAfter(t).join(), l -> {
            logits = l;
            logitsStage.show(session.tokenizer(), l, m.model().unembeddings());
            softmax.logits(session.tokenizer(), l);
            sampleStage();
        }, t);
        capture(layer);
        if (blocks.mode() == BlocksStage.Mode.LENS) {
            lens(t.length - 1);
        }
    }

    private void capture(int l) {
        layer = l;
        int[] t = tokens;
        LoadedModel m = session.model();
        background(() -> service.blocks(m, t, l), blocks::show, t);
    }

    private void lens(int position) {
        int[] t = tokens;
        LoadedModel m = session.model();
        background(() -> service.lens(m, t, position), top -> blocks.lens(position, top), t);
    }

    /** Runs {@code work} off the UI thread; {@code done} sees its result unless the prompt changed meanwhile. */
    private <T> void background(java.util.function.Supplier<T> work, java.util.function.Consumer<T> done, int[] forTokens) {
        UI ui = UI.getCurrent();
        Thread.ofVirtual().start(() -> {
            try {
                T r = work.get();
                ui.access(() -> {
                    if (forTokens == tokens) {
                        done.accept(r);
                    }
                });
            } catch (RuntimeException ex) {
                ui.access(() -> bar.status("Failed: " + ex.getMessage()));
            }
        });
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
        if (logits == null) {
            return;
        }
        try {
            pipeline = service.pipeline(WalkService.chain(sample.chain.stages(), softmax.temperature()), logits, SEED);
            int id = WalkService.pick(pipeline, SEED, tokens.length);
            sample.show(session.tokenizer(), pipeline, "next: " + TokenDisplay.label(session.tokenizer().piece(id, true), session.tokenizer().type(id))
                    + " (id " + id + ")");
        } catch (IllegalArgumentException bad) {
            sample.pending("The chain cannot run: " + bad.getMessage());
        }
        link = new WalkLink(session.model().id(), bar.prompt(), softmax.temperature(), sample.chain.stages());
        UI.getCurrent().getPage().getHistory().replaceState(null, link.href());
    }

    /** One token: the pick is appended and the walk runs again. */
    private void step() {
        if (pipeline != null && logits != null) {
            append(WalkService.pick(pipeline, SEED, tokens.length));
        }
    }

    private void append(int id) {
        walk(extend(id));
    }

    /** The prompt with {@code id} appended, in the field too (set from the server: no value event). */
    private int[] extend(int id) {
        int[] t = Arrays.copyOf(tokens, tokens.length + 1);
        t[tokens.length] = id;
        bar.setPrompt(bar.prompt() + session.tokenizer().decode(new int[] {id}, true, false));
        return t;
    }

    /**
     * A streamed token: only the tokens stage follows it, since walking a 24-layer model again per
     * token would queue captures faster than they finish; the whole walk is drawn once the stream ends.
     */
    private void appendStreamed(int id) {
        tokens = extend(id);
        tokensStage.show(session.tokenizer(), tokens, session.contextLength());
    }

    /** Streams up to {@value #GENERATE_MAX} tokens with the chain as it is now, until the end token, Stop or Esc. */
    private void generate() {
        if (session == null || logits == null) {
            return;
        }
        stopRequested = false;
        sample.generating(true);
        UI ui = UI.getCurrent();
        PlaygroundSession s = session;
        List<StageSpec> chain = WalkService.chain(sample.chain.stages(), softmax.temperature());
        int[] start = tokens;
        List.of(blocks, logitsStage, softmax, sample).forEach(st -> st.pending("Generating … the walk is drawn again for the whole text when it stops"));
        Thread.ofVirtual().start(() -> {
            try {
                service.generate(s, start, chain, SEED, GENERATE_MAX, () -> stopRequested, id -> ui.access(() -> {
                    if (session == s) {
                        appendStreamed(id);
                    }
                }));
            } catch (RuntimeException ex) {
                ui.access(() -> bar.status("Generation failed: " + ex.getMessage()));
            } finally {
                ui.access(() -> {
                    sample.generating(false);
                    if (session == s) {
                        walk(tokens);
                    }
                });
            }
        });
    }
}
