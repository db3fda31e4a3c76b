package io.gptlens.web.walk;

import io.gptlens.web.ui.UiAccess;
import com.vaadin.flow.component.UI;
import io.gptlens.core.sampling.ChainPreview;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.playground.PlaygroundSession;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * What the sample stage does on the walk's session: runs the chain (as edited, then the softmax
 * stage's temperature) over the model's logits into the pipeline the stage draws and the token it
 * picks, reproducibly for seed {@value #SEED} and the position; appends a token to the prompt
 * ("Next token"); and streams up to {@value #GENERATE_MAX} tokens ("Generate", Enter in the prompt)
 * until the end token, Stop, Esc or leaving the page. A stream runs on a virtual thread of its own;
 * while it runs the stage's buttons say so and the model's stages wait, and each token and its end
 * come back through {@link UI#access}, dropped once the walk is on another session. Use from the UI
 * thread.
 */
final class WalkSampling {

    /** The seed of every pick, so a link walks to the same tokens. */
    static final long SEED = 42;
    /** The most tokens one Generate streams. */
    static final int GENERATE_MAX = 64;

    private final WalkService service;
    private final WalkBar bar;
    private final SampleStage sample;
    private final SoftmaxStage softmax;
    private final List<Stage> waiting;
    private final Supplier<PlaygroundSession> walked;
    private List<ChainPreview.Snapshot> pipeline;
    private volatile boolean stopRequested;
    private boolean streaming;

    /**
     * @param waiting the stages drawn from the model's output, marked waiting while a stream runs
     * @param walked  the session the walk is on now (null for none)
     */
    WalkSampling(WalkService service, WalkBar bar, SampleStage sample, SoftmaxStage softmax, List<Stage> waiting,
            Supplier<PlaygroundSession> walked) {
        this.service = service;
        this.bar = bar;
        this.sample = sample;
        this.softmax = softmax;
        this.waiting = waiting;
        this.walked = walked;
    }

    /**
     * Runs the chain over {@code logits} and draws its pipeline with the token picked at {@code position};
     * a chain that cannot run says why instead, and the pipeline drawn before stays.
     */
    void draw(float[] logits, int position) {
        try {
            pipeline = service.pipeline(chain(), logits, SEED);
            int id = WalkService.pick(pipeline, SEED, position);
            Tokenizer t = walked.get().tokenizer();
            sample.show(t, pipeline, "next: " + TokenDisplay.label(t.piece(id, true), t.type(id)) + " (id " + id + ")");
        } catch (IllegalArgumentException bad) {
            sample.pending("The chain cannot run: " + bad.getMessage());
        }
    }

    /** Whether a pipeline was drawn, so that {@link #pick} has one to draw from. */
    boolean drawn() {
        return pipeline != null;
    }

    /** The token the pipeline drawn last picks at {@code position}. */
    int pick(int position) {
        return WalkService.pick(pipeline, SEED, position);
    }

    /** {@code tokens} with {@code id} appended, in the prompt field too (set from the server: no value event). */
    int[] extend(int[] tokens, int id) {
        int[] t = Arrays.copyOf(tokens, tokens.length + 1);
        t[tokens.length] = id;
        bar.setPrompt(bar.prompt() + walked.get().tokenizer().decode(new int[] {id}, true, false));
        return t;
    }

    /**
     * Streams from {@code start} with the chain as it is now: each token goes to {@code streamed}, and
     * {@code ended} runs once the stream is over, however it ended (a failure is told in the bar), after
     * the buttons are back; neither runs if the walk moved to another session meanwhile.
     */
    void generate(int[] start, IntConsumer streamed, Runnable ended) {
        stopRequested = false;
        streaming = true;
        sample.generating(true);
        UI ui = UI.getCurrent();
        PlaygroundSession s = walked.get();
        List<StageSpec> chain = chain();
        waiting.forEach(st -> st.pending("Generating … the walk is drawn again for the whole text when it stops"));
        Thread.ofVirtual().start(() -> {
            try {
                service.generate(s, start, chain, SEED, GENERATE_MAX, () -> stopRequested, id -> UiAccess.later(ui, () -> {
                    if (walked.get() == s) {
                        streamed.accept(id);
                    }
                }));
            } catch (RuntimeException ex) {
                UiAccess.later(ui, () -> bar.status("Generation failed: " + ex.getMessage()));
            } finally {
                UiAccess.later(ui, () -> {
                    streaming = false;
                    sample.generating(false);
                    if (walked.get() == s) {
                        ended.run();
                    }
                });
            }
        });
    }

    /** True from {@link #generate} until its stream is over (UI thread). */
    boolean streaming() {
        return streaming;
    }

    /** Asks a running stream to stop after its current token; does nothing when none runs. */
    void stop() {
        stopRequested = true;
    }

    private List<StageSpec> chain() {
        return WalkService.chain(sample.chain.stages(), softmax.temperature());
    }
}
