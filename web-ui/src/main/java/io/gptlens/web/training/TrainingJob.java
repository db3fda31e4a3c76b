package io.gptlens.web.training;

import io.gptlens.core.training.TrainingRecipe;
import io.gptlens.core.training.TrainingRun;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The state of one training run, filled in by the training thread and read by requests and views
 * through {@link #status()}. Thread-safe: every method is synchronized.
 */
final class TrainingJob {

    final String id;
    final String name;
    final boolean builtin;
    final TrainingRecipe recipe;
    final String corpusName;
    final CorpusSource corpus;
    final Path dir;
    final AtomicBoolean cancel = new AtomicBoolean();

    private TrainingState state = TrainingState.RUNNING;
    private String phase = "queued";
    private String error;
    private long step;
    private long plannedSteps;
    private double learningRate;
    private double tokensPerSecond;
    private double elapsed;
    private Long eta;
    private final double[] recent = new double[20];
    private int recentCount;
    private final List<double[]> losses = new ArrayList<>(); // [step, loss]
    private final List<TrainingStatus.Validation> validations = new ArrayList<>();
    private final List<TrainingStatus.Checkpoint> checkpoints = new ArrayList<>();
    private final Map<String, Double> baselines = new LinkedHashMap<>();
    private Path lastCheckpoint;
    private long lastCheckpointStep;

    /** Where the text comes from: the built-in corpus or an uploaded one. */
    record CorpusSource(String id, Path path) {
        boolean builtin() {
            return path == null;
        }
    }

    TrainingJob(String id, String name, boolean builtin, TrainingRecipe recipe, String corpusName, CorpusSource corpus, Path dir) {
        this.id = id;
        this.name = name;
        this.builtin = builtin;
        this.recipe = recipe;
        this.corpusName = corpusName;
        this.corpus = corpus;
        this.dir = dir;
        this.plannedSteps = recipe.steps();
    }

    synchronized TrainingState state() {
        return state;
    }

    synchronized void phase(String p) {
        phase = p;
    }

    synchronized void baselines(double unigram, double bigram) {
        baselines.put("unigram", unigram);
        baselines.put("bigram", bigram);
    }

    synchronized void restart() {
        state = TrainingState.RUNNING;
        error = null;
        cancel.set(false);
    }

    synchronized void step(TrainingRun.Step s) {
        step = s.result().step() + 1;
        plannedSteps = s.plannedSteps();
        learningRate = s.result().learningRate();
        tokensPerSecond = s.tokensPerSecond();
        elapsed = s.elapsed().toMillis() / 1000.0;
        eta = s.remaining() == null ? null : s.remaining().toSeconds();
        recent[recentCount++ % recent.length] = s.result().loss();
        losses.add(new double[] {s.result().step(), s.result().loss()});
        phase = "training";
    }

    synchronized void validated(TrainingRun.Validated v) {
        validations.add(new TrainingStatus.Validation(v.step(), v.loss(), v.accuracy(), v.bitsPerByte(), v.full()));
    }

    synchronized void checkpoint(TrainingStatus.Checkpoint c, Path file) {
        checkpoints.removeIf(x -> x.step() == c.step());
        checkpoints.add(c);
        checkpoints.sort((a, b) -> Long.compare(a.step(), b.step()));
        if (c.step() >= lastCheckpointStep) {
            lastCheckpoint = file;
            lastCheckpointStep = c.step();
        }
    }

    synchronized Path lastCheckpoint() {
        return lastCheckpoint;
    }

    synchronized long lastCheckpointStep() {
        return lastCheckpointStep;
    }

    synchronized long plannedSteps() {
        return plannedSteps;
    }

    synchronized void finish(TrainingState s, String err) {
        state = s;
        error = err;
        phase = switch (s) {
            case DONE -> "done";
            case CANCELLED -> "cancelled at step " + step + "; resume continues from the checkpoint of step " + lastCheckpointStep;
            case FAILED -> "failed";
            case RUNNING -> phase;
        };
        eta = null;
    }

    synchronized TrainingStatus status() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("vocabulary", recipe.vocabularySize());
        r.put("embedding", recipe.embedding());
        r.put("layers", recipe.layers());
        r.put("heads", recipe.heads());
        r.put("kvHeads", recipe.kvHeads());
        r.put("feedForward", recipe.feedForward());
        r.put("window", recipe.window());
        r.put("tiedEmbeddings", recipe.tiedEmbeddings());
        r.put("parameters", recipe.parameterCount());
        r.put("peakLearningRate", recipe.peakLearningRate());
        r.put("warmupSteps", recipe.warmupSteps());
        r.put("beta2", recipe.beta2());
        r.put("weightDecay", recipe.weightDecay());
        r.put("seed", recipe.seed());
        if (recipe.timeBudget() != null) {
            r.put("timeBudgetSeconds", recipe.timeBudget().toSeconds());
        }
        Double train = null;
        int n = Math.min(recentCount, recent.length);
        if (n > 0) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += recent[i];
            }
            train = sum / n;
        }
        TrainingStatus.Validation last = validations.isEmpty() ? null : validations.getLast();
        return new TrainingStatus(id, name, builtin, state, phase, recipe.preset(), corpusName,
                r, step, plannedSteps, train, learningRate, tokensPerSecond, elapsed, eta, last == null ? null : last.loss(),
                last == null ? null : last.bitsPerByte(), Map.copyOf(baselines), curve(400), List.copyOf(validations),
                List.copyOf(checkpoints), error);
    }

    /** The loss curve in at most {@code max} points, each the mean of a bucket of steps. */
    private List<double[]> curve(int max) {
        int n = losses.size();
        if (n <= max) {
            return losses.stream().map(double[]::clone).toList();
        }
        List<double[]> out = new ArrayList<>(max);
        for (int b = 0; b < max; b++) {
            int from = (int) ((long) n * b / max);
            int to = (int) ((long) n * (b + 1) / max);
            double s = 0;
            for (int i = from; i < to; i++) {
                s += losses.get(i)[1];
            }
            out.add(new double[] {losses.get(to - 1)[0], s / Math.max(1, to - from)});
        }
        return out;
    }
}
