package io.gptlens.web.training;

import io.gptlens.core.DataFolder;
import io.gptlens.core.embedding.Vectors;
import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.SamplerChains;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.core.training.Corpus;
import io.gptlens.core.training.GptInitializer;
import io.gptlens.core.training.PretrainingData;
import io.gptlens.core.training.TrainingPreset;
import io.gptlens.core.training.TrainingRecipe;
import io.gptlens.core.training.TrainingRun;
import io.gptlens.web.config.GptLensConfig;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.sampling.SamplerRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pre-trains GPTs: the built-in one at first start (when no generative model is loaded) and the
 * runs people start on {@code /train} or over REST. One run trains at a time, on a thread of its
 * own; each checkpoint is loaded into the {@link ModelRegistry} under the run's model name (so the
 * playground always has the newest), and gets a sample of text and the W_E neighbours of a few
 * words. A finished model is copied into the models folder under its name, and later starts load
 * it instead of training again.
 *
 * <p>Files: {@code <data>/training/<run id>/} holds a run's initial model and checkpoints;
 * {@code <data>/training/corpora/<sha256>.txt} the uploaded corpora. Thread-safe.
 */
@ApplicationScoped
public class TrainingService {

    private static final System.Logger LOG = System.getLogger(TrainingService.class.getName());

    /** Largest uploaded corpus (the request body limit may be lower). */
    public static final long MAX_CORPUS_BYTES = 256L << 20;

    /** Words whose W_E neighbours each checkpoint of the built-in corpus shows. */
    static final List<String> BUILTIN_WORDS = List.of(" war", " peace", " money", " States", " people", " Congress");

    private final ModelRegistry registry;
    private final SamplerRegistry samplers;
    private final GptLensConfig config;
    private final Map<String, TrainingJob> jobs = new LinkedHashMap<>();
    private final ExecutorService trainer = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("gptlens-training").daemon().factory());
    private final ExecutorService after = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("gptlens-checkpoints").daemon().factory());
    private final AtomicInteger ids = new AtomicInteger();

    public TrainingService(ModelRegistry registry, SamplerRegistry samplers, GptLensConfig config) {
        this.registry = registry;
        this.samplers = samplers;
        this.config = config;
    }

    /** After the configured models are loaded (the registry observes first): the built-in GPT. */
    void onStart(@Observes @Priority(3000) StartupEvent e) {
        if (config.builtinGpt()) {
            Thread.ofPlatform().name("gptlens-builtin-gpt").daemon().start(this::provideBuiltin);
        }
    }

    /** The recipe of the built-in GPT. */
    public TrainingRecipe builtinRecipe() {
        return TrainingPreset.named(config.builtinGptPreset()).recipe();
    }

    /** The file the finished built-in GPT is kept in. */
    public Path builtinModelFile() {
        return registry.modelsFolder().resolve(builtinRecipe().modelName(BuiltinCorpus.NAME) + ".gguf");
    }

    /** Loads the finished built-in GPT, or starts training it, unless a generative model is loaded already. */
    void provideBuiltin() {
        try {
            if (registry.all().stream().anyMatch(m -> m.model().canGenerate())) {
                LOG.log(System.Logger.Level.INFO, "A generative model is loaded; the built-in GPT is not needed");
                return;
            }
            Path done = builtinModelFile();
            if (Files.isRegularFile(done)) {
                String name = ModelRegistry.idOf(done);
                registry.replace(name, done);
                TrainingJob job = new TrainingJob(nextId(), name, true, builtinRecipe(), BuiltinCorpus.NAME, new TrainingJob.CorpusSource("builtin", null), null);
                job.finish(TrainingState.DONE, null);
                job.phase("trained earlier; loaded from " + done);
                synchronized (jobs) {
                    jobs.put(job.id, job);
                }
                LOG.log(System.Logger.Level.INFO, "Loaded the built-in GPT " + name + " from " + done);
                return;
            }
            if (!BuiltinCorpus.available()) {
                LOG.log(System.Logger.Level.WARNING, "The built-in corpus is not in this build; the built-in GPT cannot be trained");
                return;
            }
            TrainingJob job = submit(true, builtinRecipe(), new TrainingJob.CorpusSource("builtin", null));
            LOG.log(System.Logger.Level.INFO, "Pre-training the built-in GPT " + job.name + " (" + builtinRecipe().parameterCount()
                    + " parameters) in the background; watch it on /train");
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.ERROR, "Could not provide the built-in GPT: " + ex.getMessage(), ex);
        }
    }

    /**
     * Starts a run.
     *
     * @param corpusId "builtin" (or null) or the id of an uploaded corpus
     * @param preset   tiny, default or large (null: default)
     * @param steps    optimizer steps, or null for the preset's (with its time budget)
     * @param seed     seed of the initial weights and the window order, or null for 1
     * @throws TrainingException CONFLICT if a run is training, INVALID for a bad parameter, NOT_FOUND for an unknown corpus
     */
    public TrainingStatus start(String corpusId, String preset, Long steps, Long seed) {
        TrainingRecipe recipe;
        try {
            recipe = TrainingPreset.named(preset == null || preset.isBlank() ? "default" : preset).recipe();
            if (steps != null) {
                recipe = recipe.withSteps(steps).withTimeBudget(null);
            }
            if (seed != null) {
                recipe = recipe.withSeed(seed);
            }
        } catch (IllegalArgumentException e) {
            throw new TrainingException(TrainingException.Kind.INVALID, e.getMessage());
        }
        TrainingJob.CorpusSource source = corpusSource(corpusId);
        return submit(false, recipe, source).status();
    }

    private TrainingJob.CorpusSource corpusSource(String corpusId) {
        if (corpusId == null || corpusId.isBlank() || corpusId.equals("builtin")) {
            if (!BuiltinCorpus.available()) {
                throw new TrainingException(TrainingException.Kind.NOT_FOUND, "The built-in corpus is not in this build; upload a text");
            }
            return new TrainingJob.CorpusSource("builtin", null);
        }
        if (!corpusId.matches("[0-9a-f]{16,64}")) {
            throw new TrainingException(TrainingException.Kind.INVALID, "A corpus id is 'builtin' or the id an upload returned, got '" + corpusId + "'");
        }
        Path p = corporaFolder().resolve(corpusId + ".txt");
        if (!Files.isRegularFile(p)) {
            throw new TrainingException(TrainingException.Kind.NOT_FOUND, "No uploaded corpus " + corpusId + "; upload one with POST /api/training/corpora");
        }
        return new TrainingJob.CorpusSource(corpusId, p);
    }

    private TrainingJob submit(boolean builtin, TrainingRecipe recipe, TrainingJob.CorpusSource source) {
        String corpusName = source.builtin() ? BuiltinCorpus.NAME : "upload-" + source.id().substring(0, 8);
        TrainingJob job;
        synchronized (jobs) {
            Optional<TrainingJob> busy = jobs.values().stream().filter(j -> j.state() == TrainingState.RUNNING).findFirst();
            if (busy.isPresent()) {
                throw new TrainingException(TrainingException.Kind.CONFLICT, "Run " + busy.get().id + " (" + busy.get().name
                        + ") is training; one run trains at a time: cancel it (DELETE /api/training/" + busy.get().id + ") or wait");
            }
            String id = nextId();
            job = new TrainingJob(id, recipe.modelName(corpusName), builtin, recipe, corpusName, source, trainingFolder().resolve(id));
            jobs.put(id, job);
        }
        TrainingJob j = job;
        trainer.submit(() -> train(j, false));
        return job;
    }

    private String nextId() {
        return "run-" + System.currentTimeMillis() / 1000 + "-" + ids.incrementAndGet();
    }

    /** Resumes a cancelled or failed run from its last checkpoint. */
    public TrainingStatus resume(String id) {
        TrainingJob job = find(id);
        synchronized (jobs) {
            if (!job.state().resumable()) {
                throw new TrainingException(TrainingException.Kind.CONFLICT, "Run " + id + " is " + job.state().text()
                        + "; only a cancelled or failed run can be resumed");
            }
            if (job.lastCheckpoint() == null || job.dir == null) {
                throw new TrainingException(TrainingException.Kind.CONFLICT, "Run " + id + " has no checkpoint to resume from; start a new run");
            }
            Optional<TrainingJob> busy = jobs.values().stream().filter(j -> j.state() == TrainingState.RUNNING).findFirst();
            if (busy.isPresent()) {
                throw new TrainingException(TrainingException.Kind.CONFLICT, "Run " + busy.get().id + " is training; cancel it first");
            }
            job.restart();
        }
        trainer.submit(() -> train(job, true));
        return job.status();
    }

    /** Asks a run to stop; it writes a checkpoint and ends as cancelled. */
    public TrainingStatus cancel(String id) {
        TrainingJob job = find(id);
        job.cancel.set(true);
        return job.status();
    }

    /** Every run, oldest first. */
    public List<TrainingStatus> list() {
        synchronized (jobs) {
            return jobs.values().stream().map(TrainingJob::status).toList();
        }
    }

    /** One run. */
    public TrainingStatus get(String id) {
        return find(id).status();
    }

    private TrainingJob find(String id) {
        synchronized (jobs) {
            TrainingJob j = jobs.get(id);
            if (j == null) {
                throw new TrainingException(TrainingException.Kind.NOT_FOUND, "No training run '" + id + "'; runs: " + String.join(", ", jobs.keySet()));
            }
            return j;
        }
    }

    /** A corpus uploaded for training. */
    public record CorpusInfo(String id, String name, long bytes, int documents) {
    }

    /**
     * Keeps an uploaded UTF-8 text as a corpus (by its sha256, so the same text twice is one corpus).
     *
     * @throws TrainingException INVALID if it is empty, too large or not UTF-8
     */
    public CorpusInfo uploadCorpus(String name, byte[] text) {
        if (text.length == 0) {
            throw new TrainingException(TrainingException.Kind.INVALID, "The uploaded corpus is empty");
        }
        if (text.length > MAX_CORPUS_BYTES) {
            throw new TrainingException(TrainingException.Kind.INVALID, "The uploaded corpus has " + text.length + " bytes; at most " + MAX_CORPUS_BYTES);
        }
        try {
            String id = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text)).substring(0, 32);
            Path dir = Files.createDirectories(corporaFolder());
            Path file = dir.resolve(id + ".txt");
            Path tmp = Files.createTempFile(dir, id, ".part");
            try {
                Files.write(tmp, text);
                Corpus c = Corpus.load(tmp); // strict UTF-8
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.writeString(dir.resolve(id + ".name"), name == null ? id : name, StandardCharsets.UTF_8);
                return new CorpusInfo(id, name == null ? id : name, text.length, c.documents().size());
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new TrainingException(TrainingException.Kind.INVALID, e.getMessage());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The uploaded corpora. */
    public List<CorpusInfo> corpora() {
        Path dir = corporaFolder();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<CorpusInfo> out = new ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().toList()) {
                String id = p.getFileName().toString().replaceFirst("\\.txt$", "");
                Path n = dir.resolve(id + ".name");
                String name = Files.isRegularFile(n) ? Files.readString(n) : id;
                out.add(new CorpusInfo(id, name, Files.size(p), -1));
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot list corpora in " + dir + ": " + e.getMessage());
        }
        return out;
    }

    Path trainingFolder() {
        return DataFolder.resolve("training");
    }

    Path corporaFolder() {
        return trainingFolder().resolve("corpora");
    }

    // ---- the training thread

    private void train(TrainingJob job, boolean resume) {
        try {
            job.phase("reading the corpus");
            Corpus corpus = job.corpus.builtin() ? BuiltinCorpus.load() : Corpus.load(job.corpus.path());
            TrainingRecipe recipe = job.recipe;
            PretrainingData data = PretrainingData.prepare(corpus, recipe.vocabularySize(), job::phase);
            job.baselines(data.unigramBitsPerByte(), data.bigramBitsPerByte());
            Files.createDirectories(job.dir);
            Path start;
            long firstStep = 0;
            if (resume) {
                start = job.lastCheckpoint();
                firstStep = job.lastCheckpointStep();
            } else {
                start = job.dir.resolve("init.gguf");
                job.phase("writing the random initial model (" + recipe.parameterCount() + " parameters)");
                GptInitializer.write(recipe, data.vocabulary(), job.name, start);
            }
            TrainingRun.Data windows = data.runData(recipe.window());
            boolean firstCheckpoint = !resume;
            TrainingRun.Plan plan = new TrainingRun.Plan(10, Math.max(50, Math.min(250, recipe.steps() / 10)), 16,
                    recipe.timeBudget() == null ? Math.max(10, recipe.steps() / 5) : 0,
                    recipe.timeBudget() == null ? null : Duration.ofSeconds(15), recipe.timeBudget() == null ? null : Duration.ofSeconds(75),
                    config.threads());
            TrainingRun.Outcome outcome;
            try (Model model = registry.loadForTraining(start)) {
                job.phase(resume ? "resuming at step " + firstStep : "training");
                TrainingRun run = new TrainingRun(model, recipe, windows, plan, job.dir, e -> onEvent(job, e, data));
                outcome = run.run(firstStep, resume ? job.plannedSteps() : 0, job.cancel::get);
            }
            if (outcome.stop() == TrainingRun.Stop.COMPLETED) {
                Path done = registry.modelsFolder().resolve(job.name + ".gguf");
                Files.createDirectories(done.getParent());
                Path tmp = done.resolveSibling(done.getFileName() + ".part");
                Files.copy(outcome.checkpoint(), tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, done, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                after.submit(() -> registry.replace(job.name, done)).get();
                job.finish(TrainingState.DONE, null);
                LOG.log(System.Logger.Level.INFO, "Training run " + job.id + " finished: " + done + ", validation "
                        + outcome.validation().bitsPerByte() + " bits/byte");
            } else {
                job.finish(TrainingState.CANCELLED, null);
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "Training run " + job.id + " failed: " + t, t);
            job.finish(TrainingState.FAILED, t.getMessage() == null ? t.toString() : t.getMessage());
        }
    }

    private void onEvent(TrainingJob job, TrainingRun.Event e, PretrainingData data) {
        switch (e) {
            case TrainingRun.Step s -> job.step(s);
            case TrainingRun.Validated v -> job.validated(v);
            case TrainingRun.Checkpoint c -> {
                job.checkpoint(new TrainingStatus.Checkpoint(c.step(), c.file().toString(), null, null, null, Map.of()), c.file());
                after.submit(() -> afterCheckpoint(job, c, data));
            }
        }
    }

    /** Loads a checkpoint as the run's model and records what it writes and how its W_E looks. Never throws. */
    private void afterCheckpoint(TrainingJob job, TrainingRun.Checkpoint c, PretrainingData data) {
        try {
            LoadedModel m = registry.replace(job.name, c.file());
            String prompt = job.corpus.builtin() ? "The state of the Union is" : firstWords(data);
            String sample = sample(m.model(), prompt, job.recipe.window());
            Map<String, List<String>> neighbours = neighbours(m.model(), job.corpus.builtin() ? BUILTIN_WORDS : frequentWords(data));
            job.checkpoint(new TrainingStatus.Checkpoint(c.step(), c.file().toString(), job.name, prompt, sample, neighbours), c.file());
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "Checkpoint " + c.file() + " could not be sampled: " + t);
        }
    }

    /** 40 tokens from {@code prompt}: temperature 0.8, top-k 40, seed 1. */
    String sample(Model model, String prompt, int context) {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(Math.max(256, context)).withThreads(1));
             SamplerChain chain = samplers.chain(SamplerChains.standard(0.8, 40, 1.0, 0.0, 1), 1)) {
            return prompt + new Generator(s, model.tokenizer()).generate(GenerationRequest.of(prompt, 40), chain, ev -> { }).text();
        }
    }

    /** For each word that is one token: its 5 nearest tokens in W_E by cosine. */
    static Map<String, List<String>> neighbours(Model model, List<String> words) {
        Tokenizer tok = model.tokenizer();
        int v = tok.vocabularySize();
        float[][] rows = new float[v][];
        for (int t = 0; t < v; t++) {
            rows[t] = Vectors.normalize(model.embeddingRow(t));
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String w : words) {
            int[] ids = tok.encode(w, false, false);
            if (ids.length != 1) {
                continue;
            }
            float[] q = rows[ids[0]];
            List<Integer> order = new ArrayList<>();
            for (int t = 0; t < v; t++) {
                if (t != ids[0] && tok.type(t) == io.gptlens.core.tokenizer.TokenType.NORMAL) {
                    order.add(t);
                }
            }
            order.sort(Comparator.comparingDouble((Integer t) -> -Vectors.dot(q, rows[t])));
            out.put(w.strip(), order.subList(0, Math.min(5, order.size())).stream()
                    .map(t -> tok.decode(new int[] {t}, true, false).strip()).toList());
        }
        return out;
    }

    private static String firstWords(PretrainingData data) {
        Tokenizer t = data.vocabulary().tokenizer();
        int[] head = java.util.Arrays.copyOfRange(data.validation(), 1, Math.min(data.validation().length, 6));
        return t.decode(head, true, false).strip();
    }

    /** The six most frequent tokens of the training text that are a space and four or more letters. */
    private static List<String> frequentWords(PretrainingData data) {
        Tokenizer t = data.vocabulary().tokenizer();
        long[] counts = new long[data.vocabulary().size()];
        for (int x : data.train()) {
            counts[x]++;
        }
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            String s = t.decode(new int[] {i}, true, false);
            if (s.matches(" \\p{L}{4,}")) {
                ids.add(i);
            }
        }
        ids.sort(Comparator.comparingLong((Integer i) -> -counts[i]));
        return ids.subList(0, Math.min(6, ids.size())).stream().map(i -> t.decode(new int[] {i}, true, false)).toList();
    }

    @PreDestroy
    void shutdown() {
        synchronized (jobs) {
            jobs.values().forEach(j -> j.cancel.set(true));
        }
        trainer.shutdown();
        after.shutdown();
        try {
            trainer.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
