package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;

import java.util.List;

/** Picks the candidate with the largest logit (the first on ties). Stateless; never a no-op. */
public final class GreedyPicker implements Picker {

    @Override
    public String name() {
        return "greedy";
    }

    @Override
    public int pick(Candidates c) {
        int best = c.argmax();
        int id = c.id(best);
        c.select(best); // the chosen token, with probability 1 in the final distribution
        return id;
    }

    @Override
    public GreedyPicker copy() {
        return new GreedyPicker();
    }

    /** Provider {@code greedy}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("greedy", Kind.PICK, "Picks the most likely token (argmax of the logits).", List.of(), p -> new GreedyPicker());
        }
    }
}
