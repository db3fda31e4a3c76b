package io.gptlens.web.models;

import io.gptlens.core.DataFolder;
import io.gptlens.core.model.Backend;
import io.gptlens.core.model.BackendProvider;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.web.config.GptLensConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * The models the server holds, by id, in load order; the first is the default. Owns the models:
 * unloading or shutting down closes them. Thread-safe.
 */
@ApplicationScoped
public class ModelRegistry {

    private static final System.Logger LOG = System.getLogger(ModelRegistry.class.getName());

    private final GptLensConfig config;
    private final Map<String, LoadedModel> models = new LinkedHashMap<>();
    private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Backend backend;

    public ModelRegistry(GptLensConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent e) {
        loadConfigured();
        if (config.builtinModel()) {
            loadBuiltin();
        }
    }

    /** Converts (once) and loads the built-in all-MiniLM-L6-v2. */
    void loadBuiltin() {
        if (!io.gptlens.web.models.builtin.MiniLmImporter.available()) {
            LOG.log(System.Logger.Level.WARNING, "The built-in all-MiniLM-L6-v2 is not on the classpath; skipping it");
            return;
        }
        Path file = modelsFolder().resolve(io.gptlens.web.models.builtin.MiniLmImporter.ID + ".gguf");
        try {
            if (!Files.exists(file)) {
                LOG.log(System.Logger.Level.INFO, "Converting the built-in all-MiniLM-L6-v2 from ONNX to " + file + " (once) ...");
                long t0 = System.nanoTime();
                Files.createDirectories(file.getParent());
                io.gptlens.web.models.builtin.MiniLmImporter.convert(file);
                LOG.log(System.Logger.Level.INFO, "Converted in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            }
            if (get(idOf(file)).isEmpty()) {
                load(file);
            }
        } catch (IOException | ModelException | IllegalStateException ex) {
            LOG.log(System.Logger.Level.ERROR, "Could not provide the built-in all-MiniLM-L6-v2: " + ex.getMessage());
        }
    }

    private void loadConfigured() {
        for (String p : config.models().orElse(List.of())) {
            if (p.isBlank()) {
                continue;
            }
            try {
                LoadedModel m = load(Path.of(p.trim()));
                LOG.log(System.Logger.Level.INFO, "Loaded model '" + m.id() + "' from " + m.path() + ": " + m.model().info().description());
            } catch (ModelException | IllegalStateException ex) {
                LOG.log(System.Logger.Level.ERROR, "Could not load model " + p + ": " + ex.getMessage());
            }
        }
    }

    private Backend backend() {
        Backend b = backend;
        if (b == null) {
            synchronized (this) {
                if (backend == null) {
                    backend = NamedProviders.load(BackendProvider.class, getClass().getClassLoader()).get("llama.cpp").create();
                }
                b = backend;
            }
        }
        return b;
    }

    /** The id a file gets: its name without {@code .gguf}. */
    public static String idOf(Path file) {
        return file.getFileName().toString().replaceFirst("(?i)\\.gguf$", "");
    }

    /**
     * Loads a GGUF file.
     *
     * @throws ModelException INVALID for a missing or invalid file, CONFLICT if its id is taken
     */
    public LoadedModel load(Path file) {
        return load(file, null);
    }

    /**
     * Loads a GGUF file, reporting progress from 0 to 1.
     *
     * @throws ModelException INVALID for a missing or invalid file, CONFLICT if its id is taken, UNREADABLE if the file is refused
     */
    public LoadedModel load(Path file, java.util.function.DoubleConsumer progress) {
        Path abs = file.toAbsolutePath().normalize();
        String id = idOf(abs);
        synchronized (models) {
            if (models.containsKey(id)) {
                throw new ModelException(ModelException.Kind.CONFLICT, "A model with id '" + id + "' is already loaded (from " + models.get(id).path() + ")");
            }
        }
        if (!Files.isRegularFile(abs)) {
            throw new ModelException(ModelException.Kind.INVALID, "No such model file: " + abs);
        }
        if (!abs.getFileName().toString().toLowerCase().endsWith(".gguf")) {
            throw new ModelException(ModelException.Kind.INVALID, "Not a .gguf file: " + abs);
        }
        LoadedModel m = open(id, abs, progress);
        synchronized (models) {
            if (models.putIfAbsent(id, m) != null) {
                m.model().close();
                throw new ModelException(ModelException.Kind.CONFLICT, "A model with id '" + id + "' is already loaded");
            }
        }
        changed();
        return m;
    }

    /**
     * Loads {@code file} under {@code id}, taking the place (and the position in the list) of the
     * model loaded under that id, if any; the old model is closed once its running completions end.
     * Used for the checkpoints of a training run: the playground and the API see the newest one.
     *
     * @throws ModelException UNREADABLE if the file is refused
     */
    public LoadedModel replace(String id, Path file) {
        LoadedModel m = open(id, file.toAbsolutePath().normalize(), null);
        LoadedModel old;
        synchronized (models) {
            old = models.put(id, m);
        }
        if (old != null) {
            closeWhenIdle(old);
        }
        changed();
        return m;
    }

    /**
     * Loads a GGUF file for training, outside the registry: weights in memory (no mmap), on the
     * CPU. The caller owns the model and closes it.
     */
    public io.gptlens.core.model.Model loadForTraining(Path file) throws IOException {
        return backend().load(file.toAbsolutePath().normalize(), new LoadOptions(0, false, false), null);
    }

    /** Calls {@code listener} after each load, replacement and unload (on the thread that made it). Returns a handle that removes it. */
    public Runnable onChange(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void changed() {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "A model registry listener failed: " + e);
            }
        }
    }

    /** Loads {@code abs} as a model under {@code id} (not yet registered). */
    private LoadedModel open(String id, Path abs, java.util.function.DoubleConsumer progress) {
        try {
            io.gptlens.core.model.Model model = backend().load(abs, new LoadOptions(config.gpuLayers(), true, false), progress);
            return new LoadedModel(id, abs, model, Instant.now(), new Semaphore(Math.max(1, config.maxConcurrent()), true));
        } catch (IOException e) {
            throw new ModelException(ModelException.Kind.UNREADABLE, e.getMessage());
        }
    }

    /** Closes a model once its running completions have ended (waits for them). */
    private void closeIdle(LoadedModel m) {
        int permits = Math.max(1, config.maxConcurrent());
        m.slots().acquireUninterruptibly(permits);
        try {
            m.model().close();
        } finally {
            m.slots().release(permits);
        }
    }

    private void closeWhenIdle(LoadedModel old) {
        Thread.ofVirtual().name("close-" + old.id()).start(() -> closeIdle(old));
    }

    /** The model with this id. */
    public Optional<LoadedModel> get(String id) {
        synchronized (models) {
            return Optional.ofNullable(models.get(id));
        }
    }

    /**
     * The model named by {@code id}, or the default model when {@code id} is null or blank.
     *
     * @throws ModelException NOT_FOUND for an unknown id (listing the loaded ones), INVALID if no model is loaded
     */
    public LoadedModel resolve(String id) {
        synchronized (models) {
            if (id == null || id.isBlank()) {
                return models.values().stream().findFirst().orElseThrow(() -> new ModelException(ModelException.Kind.INVALID,
                        "No model is loaded; start with --model PATH or POST /api/models {\"path\": \"...\"}"));
            }
            LoadedModel m = models.get(id);
            if (m == null) {
                throw new ModelException(ModelException.Kind.NOT_FOUND, "Unknown model '" + id + "'; loaded: " + String.join(", ", models.keySet()));
            }
            return m;
        }
    }

    /** All loaded models in load order. */
    public List<LoadedModel> all() {
        synchronized (models) {
            return new ArrayList<>(models.values());
        }
    }

    /** Unloads a model; false if no model has that id. Waits for its running completions to end. */
    public boolean unload(String id) {
        LoadedModel m;
        synchronized (models) {
            m = models.remove(id);
        }
        if (m == null) {
            return false;
        }
        closeIdle(m);
        changed();
        return true;
    }

    /** The folder where downloaded and uploaded models are kept: {@code <data>/models}. */
    public Path modelsFolder() {
        return DataFolder.resolve("models");
    }

    /** Largest model file {@link #receive} accepts. */
    public static final long MAX_UPLOAD = 8L << 30;

    /**
     * Stores an uploaded model file in the models folder under {@code name} ({@link io.gptlens.web.files.Incoming}:
     * moved into place only when whole; nothing is left behind on failure).
     *
     * @throws ModelException INVALID for a name that is not a plain {@code .gguf} name, CONFLICT when the
     *                        file exists, UNREADABLE past {@link #MAX_UPLOAD} or when it does not start with "GGUF"
     */
    public Path receive(String name, java.io.InputStream body) throws IOException {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._+-]{0,200}\\.gguf")) {
            throw new ModelException(ModelException.Kind.INVALID, "Only .gguf files with a plain name");
        }
        Path target = modelsFolder().resolve(name);
        if (Files.exists(target)) {
            throw new ModelException(ModelException.Kind.CONFLICT, name + " is already in the models folder");
        }
        try {
            io.gptlens.web.files.Incoming.store(body, target, MAX_UPLOAD, "GGUF", "larger than the limit of " + DownloadService.size(MAX_UPLOAD),
                    "not a GGUF file (it does not start with 'GGUF')");
        } catch (io.gptlens.web.files.Incoming.Refused r) {
            throw new ModelException(ModelException.Kind.UNREADABLE, r.getMessage(), r);
        }
        return target;
    }

    /** The .gguf files in the models folder, by name. */
    public List<Path> modelsFolderFiles() {
        Path dir = modelsFolder();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().toLowerCase().endsWith(".gguf") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private final Map<Path, String> hashes = new java.util.concurrent.ConcurrentHashMap<>();

    /** The sha256 of a model's file (hex), computed once per file (it reads the whole file). */
    public String sha256(LoadedModel m) {
        return hashes.computeIfAbsent(m.path(), p -> {
            try {
                return FileHash.sha256(p);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot hash " + p + ": " + e.getMessage(), e);
            }
        });
    }

    @PreDestroy
    void shutdown() {
        for (LoadedModel m : all()) {
            unload(m.id());
        }
    }
}
