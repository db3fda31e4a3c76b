package io.gptlens.web.steering;

import io.gptlens.core.distribution.Softmax;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.simd.TopK;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.completion.Completion;
import io.gptlens.web.completion.CompletionRequest;
import io.gptlens.web.completion.CompletionService;
import io.gptlens.web.completion.PromptInput;
import io.gptlens.web.completion.Sampling;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * The same prompt with and without steering, side by side: two generations with the same seed and
 * chain (one steered), and how the next-token distribution after the prompt moved, the tokens that
 * gained and lost the most probability (at temperature 1, the model's own distribution).
 */
@ApplicationScoped
public class SteeringComparison {

    /** Most tokens per side of the table. */
    public static final int MAX_TOP = 50;

    /** One token's probability without and with the steering. */
    public record Shift(int token, String piece, double before, double after) {
        public double change() {
            return after - before;
        }
    }

    /**
     * @param plain         the generation without steering
     * @param steered       the same request steered
     * @param gained        the tokens whose probability rose most, largest first
     * @param lost          the tokens whose probability fell most, largest fall first
     * @param totalVariation half the sum of the absolute changes: the probability mass that moved (0 to 1)
     */
    public record Comparison(Completion plain, Completion steered, List<Shift> gained, List<Shift> lost, double totalVariation) {
    }

    private final CompletionService completions;

    public SteeringComparison(CompletionService completions) {
        this.completions = completions;
    }

    /**
     * The request a comparison runs: {@code prompt} as text, the default chain at {@code temperature}
     * (null: the default), {@code seed} (null: 1, so that both sides draw alike), {@code maxTokens} tokens.
     */
    public static CompletionRequest request(String model, String prompt, List<SteeringService.Applied> steering, Double temperature, Long seed,
                                            int maxTokens) {
        Sampling sampling = new Sampling(temperature, null, null, null, seed == null ? 1L : seed, null, null, null, null, null, null, null);
        return new CompletionRequest(model, new PromptInput.Text(prompt), null, maxTokens, sampling, List.of(), null, false, false, null, null,
                false, null, steering);
    }

    /**
     * Runs {@code request} twice, without and with its steering, and compares the distributions after its prompt.
     *
     * @throws ModelException INVALID when the request has no steering or {@code top} is out of range
     * @throws io.gptlens.web.completion.CompletionException for what a completion refuses
     */
    public Comparison compare(CompletionRequest request, int top) {
        if (top < 1 || top > MAX_TOP) {
            throw new ModelException(ModelException.Kind.INVALID, "top must be 1 to " + MAX_TOP + ", got " + top);
        }
        CompletionService.Prepared steered = completions.prepare(request);
        if (steered.steering() == null) {
            throw new ModelException(ModelException.Kind.INVALID, "Nothing to compare: give a steering with a strength other than 0");
        }
        CompletionService.Prepared plain = new CompletionService.Prepared(steered.model(), steered.tokenizer(), steered.prompt(),
                steered.promptTokens(), steered.maxTokens(), steered.chain(), steered.seed(), steered.runtime(), steered.request(), null);
        Completion a = completions.run(plain, d -> { }, () -> false);
        Completion b = completions.run(steered, d -> { }, () -> false);
        float[][] both = nextTokenLogits(steered.model(), steered.promptTokens(), steered.steering());
        double[] p = Softmax.probabilities(both[0], 1);
        double[] q = Softmax.probabilities(both[1], 1);
        TopK up = new TopK(top);
        TopK down = new TopK(top);
        double moved = 0;
        for (int i = 0; i < p.length; i++) {
            double c = q[i] - p[i];
            moved += Math.abs(c);
            up.offer(i, (float) c);
            down.offer(i, (float) -c);
        }
        Tokenizer t = steered.tokenizer();
        return new Comparison(a, b, shifts(up, p, q, t, true), shifts(down, p, q, t, false), moved / 2);
    }

    private static List<Shift> shifts(TopK k, double[] p, double[] q, Tokenizer t, boolean rising) {
        List<Shift> out = new ArrayList<>();
        for (int i = 0; i < k.size(); i++) {
            int id = k.id(i);
            if (rising ? q[id] > p[id] : q[id] < p[id]) {
                out.add(new Shift(id, t.piece(id, true).text(), p[id], q[id]));
            }
        }
        return out;
    }

    /** The logits after {@code prompt}, without ([0]) and with ([1]) {@code steering}, in one session of one slot. */
    private static float[][] nextTokenLogits(LoadedModel m, int[] prompt, float[][] steering) {
        m.acquireSlot();
        try (Session s = m.model().newSession(new SessionOptions(Math.max(16, prompt.length + 1), Math.max(512, prompt.length), 1, 0, false, false))) {
            s.evaluate(Batch.of(prompt, 0, 0));
            float[] before = s.logits(-1);
            s.steer(steering);
            s.clear(); // nothing computed unsteered may stay in the cache
            s.evaluate(Batch.of(prompt, 0, 0));
            return new float[][]{before, s.logits(-1)};
        } finally {
            m.slots().release();
        }
    }
}
