package io.gptlens.core.training;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Recipes sized for a 2-core CPU (measured figures in {@code docs/training.md}).
 */
public enum TrainingPreset {

    /** For tests: trains in seconds; learns which tokens are common and little more. */
    TINY(new TrainingRecipe("tiny", 512, 64, 2, 4, 2, 192, 256, false, 0.02, 1e-3, 1e-4, 20, 0.9, 0.99, 1e-8, 0.1,
            200, null, 1)),

    /**
     * The built-in GPT: 1.4M parameters, about nine minutes on two cores. Untied embeddings, peak
     * 3e-4 and β2 0.99 were chosen by measurement (docs/training.md): tied embeddings, higher peaks or β2 0.95
     * diverged or stalled near the unigram level with one 256-token window per step.
     */
    DEFAULT(new TrainingRecipe("default", 2048, 128, 4, 4, 4, 384, 256, false, 0.02, 3e-4, 3e-5, 100, 0.9, 0.99, 1e-8, 0.1,
            100_000, Duration.ofMinutes(9), 1)),

    /** For people with time or a GPU: 6.7M parameters, an hour on two cores. */
    LARGE(new TrainingRecipe("large", 4096, 256, 6, 8, 4, 768, 512, false, 0.02, 2e-4, 2e-5, 200, 0.9, 0.99, 1e-8, 0.1,
            1_000_000, Duration.ofMinutes(60), 1));

    private final TrainingRecipe recipe;

    TrainingPreset(TrainingRecipe recipe) {
        this.recipe = recipe;
    }

    /** The preset's recipe. */
    public TrainingRecipe recipe() {
        return recipe;
    }

    /** The preset named {@code name} (case-insensitive). */
    public static TrainingPreset named(String name) {
        for (TrainingPreset p : values()) {
            if (p.name().equalsIgnoreCase(name) || p.recipe.preset().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("No training preset '" + name + "'; known: "
                + Arrays.stream(values()).map(p -> p.name().toLowerCase(Locale.ROOT)).toList());
    }
}
