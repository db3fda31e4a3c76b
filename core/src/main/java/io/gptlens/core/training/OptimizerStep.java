package io.gptlens.core.training;

/**
 * AdamW's settings for one optimizer step, as ggml-opt's {@code ggml_opt_optimizer_params.adamw}
 * takes them.
 */
public record OptimizerStep(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {

    /** The settings of {@code step} under {@code recipe} with {@code schedule}'s learning rate. */
    public static OptimizerStep of(TrainingRecipe recipe, LearningRateSchedule schedule, long step) {
        return new OptimizerStep(schedule.at(step), recipe.beta1(), recipe.beta2(), recipe.epsilon(), recipe.weightDecay());
    }
}
