package io.gptlens.core.sampling;

import io.gptlens.core.plugin.NamedProviders;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds {@link SamplerChain}s from stage specifications and from the familiar settings
 * (temperature, top-k, top-p, min-p, seed). Stateless.
 */
public final class SamplerChains {

    private SamplerChains() {
    }

    /**
     * A chain of the named stages, in order. If the last stage is not a picker, {@code dist} with
     * {@code seed} is appended, so a list of reshaping stages is enough. Stages with a {@code seed}
     * parameter that the spec leaves out get {@code seed}, so one seed makes the whole chain reproducible.
     *
     * @throws IllegalArgumentException for an unknown name (listing the known ones), a bad parameter, or a picker before the end
     */
    public static SamplerChain build(NamedProviders<SamplerProvider> providers, List<StageSpec> stages, long seed) {
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("The sampler list is empty; name at least one sampler, e.g. [{\"name\": \"greedy\"}]");
        }
        List<SamplerStage> built = new ArrayList<>();
        try {
            for (StageSpec s : stages) {
                SamplerProvider p = providers.get(s.name());
                java.util.Map<String, Object> params = new java.util.LinkedHashMap<>(s.params());
                if (!params.containsKey("seed") && p.params().stream().anyMatch(ps -> ps.name().equals("seed"))) {
                    params.put("seed", seed);
                }
                built.add(p.create(params));
            }
            if (!(built.getLast() instanceof Picker)) {
                built.add(new DistPicker(seed));
            }
            return SamplerChain.of(built);
        } catch (RuntimeException e) {
            built.forEach(SamplerStage::close);
            throw e;
        }
    }

    /**
     * llama.cpp's default order for the common settings: top-k, top-p, min-p, temperature, then
     * dist. Stages that would be no-ops are left out; temperature 0 gives temperature 0 then greedy.
     *
     * @param temperature >= 0
     * @param topK        0 = off
     * @param topP        1 = off
     * @param minP        0 = off
     * @param seed        -1 = random
     */
    public static List<StageSpec> standard(double temperature, int topK, double topP, double minP, long seed) {
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        }
        if (temperature == 0) {
            // temperature 0 keeps only the argmax (so a preview shows all mass there); greedy picks it
            return List.of(StageSpec.of("temperature", "t", 0.0), StageSpec.of("greedy"));
        }
        List<StageSpec> out = new ArrayList<>();
        if (topK > 0) {
            out.add(StageSpec.of("top-k", "k", topK));
        }
        if (topP < 1) {
            out.add(StageSpec.of("top-p", "p", topP));
        }
        if (minP > 0) {
            out.add(StageSpec.of("min-p", "p", minP));
        }
        if (temperature != 1) {
            out.add(StageSpec.of("temperature", "t", temperature));
        }
        out.add(StageSpec.of("dist", "seed", seed));
        return out;
    }
}
