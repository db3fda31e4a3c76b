package io.gptlens.web.training;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of a training run, as the REST API and the {@code /train} view show it. Losses are in
 * nats per token; {@code bitsPerByte} is the tokenizer-independent measure on held-out text.
 *
 * @param id             the run's id
 * @param name           the model name it trains (corpus, tokenizer and recipe encoded); the registry id of its checkpoints
 * @param builtin        the built-in GPT of a fresh machine
 * @param state          where it stands
 * @param phase          what it is doing now, in words
 * @param preset         the recipe's preset
 * @param corpus         the corpus's name
 * @param recipe         the recipe's numbers (vocabulary, d, layers, heads, window, parameters, learning rate, ...)
 * @param step           optimizer steps done
 * @param plannedSteps   steps the schedule plans for
 * @param trainLoss      mean training loss of the last 20 steps, or null
 * @param learningRate   the last step's learning rate
 * @param tokensPerSecond training tokens per second
 * @param elapsedSeconds seconds since the run (or its resumption) started
 * @param etaSeconds     estimated seconds to the end of the plan, or null
 * @param validationLoss the last validation loss, or null
 * @param bitsPerByte    the last validation in bits per byte, or null
 * @param baselines      bits per byte of the n-gram baselines on the same held-out text ({@code unigram}, {@code bigram})
 * @param losses         the training loss curve as {@code [step, loss]} pairs (bucket means, at most 400)
 * @param validations    every validation
 * @param checkpoints    every checkpoint with its sample text and W_E neighbours
 * @param error          why it failed, or null
 */
public record TrainingStatus(String id, String name, boolean builtin, TrainingState state, String phase, String preset, String corpus,
                             Map<String, Object> recipe, long step, long plannedSteps, Double trainLoss, double learningRate,
                             double tokensPerSecond, double elapsedSeconds, Long etaSeconds, Double validationLoss, Double bitsPerByte,
                             Map<String, Double> baselines, List<double[]> losses, List<Validation> validations,
                             List<Checkpoint> checkpoints, String error) {

    /** One validation. */
    public record Validation(long step, double loss, double accuracy, double bitsPerByte, boolean full) {
    }

    /**
     * One checkpoint.
     *
     * @param model      the registry id it can be opened under ({@code null} until loaded)
     * @param sample     text the checkpoint wrote from {@code prompt}
     * @param neighbours for a few words, their nearest tokens in this checkpoint's W_E (cosine)
     */
    public record Checkpoint(long step, String file, String model, String prompt, String sample, Map<String, List<String>> neighbours) {
    }
}
