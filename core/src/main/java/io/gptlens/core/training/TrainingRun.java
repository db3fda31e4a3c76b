package io.gptlens.core.training;

import io.gptlens.core.model.Model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The pre-training loop: one optimizer step per window, in a shuffled order per epoch; validation
 * on held-out windows at intervals; checkpoints written as ordinary GGUF files; cancellation
 * between chunks of steps (a cancelled run writes a checkpoint it can resume from).
 *
 * <p>The learning rate follows {@link LearningRateSchedule} over the planned number of steps. With
 * a time budget the plan is revised from the measured step rate at each validation, so the cosine
 * decay ends when the budget does instead of being cut off half-way.
 *
 * <p>Runs on the calling thread; events are delivered on it too. Not reusable: one run per instance.
 */
public final class TrainingRun {

    /** What happened, in order. */
    public sealed interface Event {
    }

    /** One optimizer step. {@code plannedSteps} is the current plan; {@code remaining} is its estimate, or null before the first chunk. */
    public record Step(TrainingContext.StepResult result, long plannedSteps, double tokensPerSecond, Duration elapsed, Duration remaining)
            implements Event {
    }

    /**
     * Validation on held-out windows.
     *
     * @param bitsPerByte the loss in bits per byte of the text the labels stand for (tokenizer-independent)
     * @param full        true for the final evaluation on all validation windows, false for the periodic subset
     */
    public record Validated(long step, double loss, double accuracy, double bitsPerByte, long tokens, boolean full) implements Event {
    }

    /** A checkpoint written after {@code step} steps. */
    public record Checkpoint(long step, Path file, boolean last) implements Event {
    }

    /** How a run ended. */
    public enum Stop { COMPLETED, CANCELLED }

    /**
     * The result of a run.
     *
     * @param steps      optimizer steps done in total (including those before a resume)
     * @param checkpoint the last checkpoint written
     * @param validation the last validation
     */
    public record Outcome(Stop stop, long steps, Path checkpoint, Validated validation) {
    }

    /**
     * The training and validation data.
     *
     * @param train      training windows
     * @param validation held-out windows
     * @param tokenBytes the UTF-8 byte length of each token id (0 for control tokens), for bits per byte
     */
    public record Data(TokenWindows train, TokenWindows validation, int[] tokenBytes) {
        public Data {
            if (train.count() == 0 || validation.count() == 0) {
                throw new IllegalArgumentException("Training needs at least one training and one validation window of " + train.length()
                        + " tokens; got " + train.count() + " and " + validation.count() + " (add text, or use a shorter window)");
            }
        }
    }

    /**
     * When to validate and checkpoint.
     *
     * @param chunk              steps per call into the trainer (cancellation is checked between chunks)
     * @param validateEvery      steps between validations
     * @param validationWindows  windows of the periodic validation (the final one uses all)
     * @param checkpointEvery    steps between checkpoints, 0 for none by steps
     * @param firstCheckpointAfter time until the first checkpoint, or null
     * @param checkpointInterval time between later checkpoints, or null
     * @param threads            CPU threads, 0 for all
     */
    public record Plan(int chunk, long validateEvery, int validationWindows, long checkpointEvery, Duration firstCheckpointAfter,
                       Duration checkpointInterval, int threads) {
        public Plan {
            if (chunk < 1 || validateEvery < 1 || validationWindows < 1 || checkpointEvery < 0 || threads < 0) {
                throw new IllegalArgumentException("Invalid training plan: " + chunk + ", " + validateEvery + ", " + validationWindows + ", "
                        + checkpointEvery + ", " + threads);
            }
        }
    }

    private final Model model;
    private final TrainingRecipe recipe;
    private final Data data;
    private final Plan plan;
    private final Path checkpoints;
    private final Consumer<Event> events;
    private volatile long plannedSteps;

    /**
     * @param model       the model to train, loaded without mmap (its weights change in place)
     * @param checkpoints folder for checkpoint files ({@code step-000123.gguf})
     */
    public TrainingRun(Model model, TrainingRecipe recipe, Data data, Plan plan, Path checkpoints, Consumer<Event> events) {
        this.model = Objects.requireNonNull(model);
        this.recipe = Objects.requireNonNull(recipe);
        this.data = Objects.requireNonNull(data);
        this.plan = Objects.requireNonNull(plan);
        this.checkpoints = Objects.requireNonNull(checkpoints);
        this.events = Objects.requireNonNull(events);
        if (data.train.length() != recipe.window() || data.validation.length() != recipe.window()) {
            throw new IllegalArgumentException("Windows of " + data.train.length() + " tokens for a recipe of " + recipe.window());
        }
        this.plannedSteps = recipe.steps();
    }

    /** The number of steps the schedule currently plans for. */
    public long plannedSteps() {
        return plannedSteps;
    }

    /**
     * Trains from step {@code firstStep} (0, or the step of the checkpoint the model was loaded
     * from) until the plan is done or {@code cancelled} says so.
     *
     * @param plannedSteps the plan a resumed run had (kept as it is: no time budget applies to a resumption),
     *                     or 0 for the recipe's steps and time budget
     */
    public Outcome run(long firstStep, long plannedSteps, BooleanSupplier cancelled) throws IOException {
        boolean budgeted = plannedSteps <= 0 && recipe.timeBudget() != null;
        if (plannedSteps > 0) {
            this.plannedSteps = plannedSteps;
        }
        Files.createDirectories(checkpoints);
        long start = System.nanoTime();
        long step = firstStep;
        long lastCheckpointTime = start;
        long nextTimedCheckpoint = plan.firstCheckpointAfter == null ? Long.MAX_VALUE : start + plan.firstCheckpointAfter.toNanos();
        long trainedTokens = 0;
        Validated lastValidation = null;
        Path lastCheckpoint = null;
        TrainingOptions options = new TrainingOptions(recipe.window(), plan.threads, firstStep,
                s -> OptimizerStep.of(recipe, schedule(), s));
        try (TrainingContext ctx = model.openTraining(options)) {
            long deadline = budgeted ? start + recipe.timeBudget().toNanos() : Long.MAX_VALUE;
            while (step < this.plannedSteps && !cancelled.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    this.plannedSteps = step; // the budget is spent: this is the last step
                    break;
                }
                int n = (int) Math.min(plan.chunk, this.plannedSteps - step);
                TokenWindows chunk = data.train.select(order(step, n));
                long chunkStart = step;
                long[] tokensSoFar = {trainedTokens};
                ctx.train(chunk, r -> {
                    tokensSoFar[0] += r.tokens();
                    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                    double seconds = Math.max(1e-9, elapsed.toNanos() / 1e9);
                    double rate = tokensSoFar[0] / seconds;
                    long done = r.step() + 1 - firstStep;
                    Duration remaining = done < 1 ? null
                            : Duration.ofMillis((long) (seconds * 1000.0 / done * Math.max(0, this.plannedSteps - r.step() - 1)));
                    events.accept(new Step(r, this.plannedSteps, rate, elapsed, remaining));
                });
                step = ctx.nextStep();
                trainedTokens = tokensSoFar[0];
                if (step <= chunkStart) {
                    throw new IllegalStateException("The trainer made no progress at step " + chunkStart);
                }
                if (crossed(chunkStart, step, plan.validateEvery) && step < this.plannedSteps) {
                    lastValidation = validate(ctx, step, spread(data.validation, plan.validationWindows), false);
                    if (budgeted) {
                        replan(step, step - firstStep, System.nanoTime() - start);
                    }
                }
                long now = System.nanoTime();
                boolean byStep = plan.checkpointEvery > 0 && crossed(chunkStart, step, plan.checkpointEvery);
                boolean byTime = now >= nextTimedCheckpoint;
                if ((byStep || byTime) && step < this.plannedSteps && !cancelled.getAsBoolean()) {
                    lastCheckpoint = checkpoint(ctx, step, false);
                    lastCheckpointTime = System.nanoTime();
                    nextTimedCheckpoint = plan.checkpointInterval == null ? Long.MAX_VALUE : lastCheckpointTime + plan.checkpointInterval.toNanos();
                }
            }
            boolean done = step >= this.plannedSteps;
            lastValidation = validate(ctx, step, done ? data.validation : spread(data.validation, plan.validationWindows), done);
            lastCheckpoint = checkpoint(ctx, step, true);
            return new Outcome(done ? Stop.COMPLETED : Stop.CANCELLED, step, lastCheckpoint, lastValidation);
        }
    }

    /** The schedule of the current plan. */
    LearningRateSchedule schedule() {
        return new LearningRateSchedule(recipe.peakLearningRate(), recipe.minLearningRate(), recipe.warmupSteps(), Math.max(1, plannedSteps));
    }

    /** With a time budget: plans the steps that fit the budget's remaining time at the rate measured so far. */
    private void replan(long step, long stepsDone, long nanos) {
        if (recipe.timeBudget() == null || stepsDone < 1) {
            return;
        }
        double perStep = (double) nanos / stepsDone;
        long remaining = recipe.timeBudget().toNanos() - nanos;
        long affordable = remaining <= 0 ? 0 : (long) (remaining / perStep);
        plannedSteps = Math.max(step + 1, Math.min(recipe.steps(), step + affordable));
    }

    private Validated validate(TrainingContext ctx, long step, TokenWindows windows, boolean full) {
        TrainingContext.Evaluation e = ctx.evaluate(windows);
        double bits = e.loss() * e.tokens() / Math.log(2);
        long bytes = windows.labelBytes(data.tokenBytes);
        Validated v = new Validated(step, e.loss(), e.accuracy(), bytes == 0 ? Double.NaN : bits / bytes, e.tokens(), full);
        events.accept(v);
        return v;
    }

    private Path checkpoint(TrainingContext ctx, long step, boolean last) throws IOException {
        Path file = checkpoints.resolve("step-%07d.gguf".formatted(step));
        ctx.save(file);
        events.accept(new Checkpoint(step, file, last));
        return file;
    }

    /** {@code n} windows spread evenly over all of them (the periodic validation sees every part of the held-out text). */
    static TokenWindows spread(TokenWindows all, int n) {
        int count = all.count();
        if (n >= count) {
            return all;
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = (int) ((long) i * count / n);
        }
        return all.select(idx);
    }

    private static boolean crossed(long from, long to, long every) {
        return every > 0 && from / every != to / every;
    }

    /** The window indices of steps {@code [step, step + n)}: each epoch visits every window once, in an order seeded by the recipe. */
    int[] order(long step, int n) {
        int count = data.train.count();
        int[] out = new int[n];
        long epoch = -1;
        int[] perm = null;
        for (int k = 0; k < n; k++) {
            long s = step + k;
            long e = s / count;
            if (e != epoch) {
                epoch = e;
                perm = permutation(count, recipe.seed() * 1_000_003L + e);
            }
            out[k] = perm[(int) (s % count)];
        }
        return out;
    }

    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
