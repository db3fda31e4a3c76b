package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.NamedProviders;

import java.util.ArrayList;
import java.util.List;

/**
 * What a sampler chain does to one distribution, stage by stage, without choosing a token: the
 * pipeline view of the playground. Each snapshot holds the candidates left after a stage with
 * their probabilities (softmax of their logits then), in descending order. Stateless.
 */
public final class ChainPreview {

    /**
     * The distribution after one stage.
     *
     * @param stage   the stage name ("model" for the raw distribution)
     * @param ids     the surviving token ids, most probable first
     * @param probs   their probabilities (summing to 1)
     * @param logits  their logits after the stage
     * @param removed how many candidates this stage removed
     */
    public record Snapshot(String stage, int[] ids, float[] probs, float[] logits, int removed) {
        /** The probability of {@code token} here, or 0 if the stage removed it. */
        public float p(int token) {
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] == token) {
                    return probs[i];
                }
            }
            return 0f;
        }
    }

    private ChainPreview() {
    }

    /**
     * Applies the reshaping stages of {@code stages} in order to {@code logits}; pickers are skipped
     * (they choose, they do not reshape). Stateful stages see no history.
     *
     * @throws IllegalArgumentException for an unknown stage or a bad parameter
     */
    public static List<Snapshot> run(NamedProviders<SamplerProvider> providers, List<StageSpec> stages, float[] logits, long seed) {
        List<Snapshot> out = new ArrayList<>();
        Candidates c = Candidates.fromLogits(logits);
        out.add(snapshot("model", c, 0));
        for (StageSpec spec : stages) {
            SamplerProvider p = providers.get(spec.name());
            if (p.kind() == SamplerProvider.Kind.PICK) {
                continue;
            }
            java.util.Map<String, Object> params = new java.util.LinkedHashMap<>(spec.params());
            if (!params.containsKey("seed") && p.params().stream().anyMatch(s -> s.name().equals("seed"))) {
                params.put("seed", seed);
            }
            int before = c.size();
            try (SamplerStage s = p.create(params)) {
                ((Sampler) s).apply(c);
            }
            out.add(snapshot(spec.name(), c, before - c.size()));
        }
        return out;
    }

    private static Snapshot snapshot(String stage, Candidates c, int removed) {
        Candidates s = c.copy();
        s.sort();
        s.softmax();
        return new Snapshot(stage, s.ids(), s.probabilities(), s.logits(), removed);
    }
}
