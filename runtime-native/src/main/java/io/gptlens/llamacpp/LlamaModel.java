package io.gptlens.llamacpp;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufValue;
import io.gptlens.core.gguf.TensorInfo;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.ModelInfo;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.core.training.TrainingContext;
import io.gptlens.core.training.TrainingOptions;
import io.gptlens.llamacpp.internal.Layouts;
import io.gptlens.llamacpp.internal.Llama;
import io.gptlens.llamacpp.internal.LlamaLog;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.DoubleConsumer;

/**
 * A model loaded by llama.cpp ({@code llama_model *}), with its GGUF file kept mapped for reading
 * embedding rows.
 *
 * <p><b>Ownership:</b> owns the native model and the mapping; {@link #close()} closes the sessions
 * still open on it, then frees the model; closing twice is safe; any use after close throws
 * {@link IllegalStateException}. <b>Thread-safety:</b> safe for concurrent use; a close waits for
 * calls in progress.
 */
public final class LlamaModel implements Model {

    private final Path path;
    private final MemorySegment handle;
    private final MemorySegment vocab;
    private final GgufFile gguf;
    private final ModelInfo info;
    private final LlamaTokenizer tokenizer;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Set<LlamaSession> sessions = ConcurrentHashMap.newKeySet();
    private final Set<LlamaTrainingContext> trainings = ConcurrentHashMap.newKeySet();
    private final boolean mapped;
    private volatile boolean closed;
    private final GrammarSampler.Provider grammar = new GrammarSampler.Provider(this);
    /** Set when {@link #close()} begins: sessions opened from then on close themselves. */
    private volatile boolean closing;
    /** Layers offloaded to a GPU (0: all on the CPU). */
    private final int gpuLayers;

    private LlamaModel(Path path, MemorySegment handle, GgufFile gguf, boolean vocabOnly, boolean mapped, int gpuLayers) {
        this.path = path;
        this.mapped = mapped;
        this.gpuLayers = gpuLayers;
        this.handle = handle;
        this.gguf = gguf;
        this.vocab = Llama.modelVocab(handle);
        this.tokenizer = new LlamaTokenizer(this);
        this.info = readInfo(vocabOnly);
    }

    /**
     * Loads a model that has passed validation (see {@link LlamaBackend#load}).
     */
    static LlamaModel load(Path path, GgufFile gguf, LoadOptions options, DoubleConsumer progress) throws IOException {
        LlamaLibrary.load();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = Llama.modelDefaultParams(arena);
            set(params, "n_gpu_layers", options.gpuLayers());
            set(params, "load_mode", options.mmap() ? 1 : 0); // LLAMA_LOAD_MODE_MMAP : NONE
            params.set(ValueLayout.JAVA_BOOLEAN, Layouts.offset(Layouts.MODEL_PARAMS, "vocab_only"), options.vocabOnly());
            if (progress != null) {
                MethodHandle target = MethodHandles.insertArguments(PROGRESS, 0, progress);
                MemorySegment stub = Llama.linker().upcallStub(target,
                        FunctionDescriptor.of(ValueLayout.JAVA_BOOLEAN, ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS), arena);
                params.set(ValueLayout.ADDRESS, Layouts.offset(Layouts.MODEL_PARAMS, "progress_callback"), stub);
            }
            LlamaLog.clearRecent();
            MemorySegment m = Llama.modelLoad(arena.allocateFrom(path.toString()), params);
            if (m.equals(MemorySegment.NULL)) {
                throw new IOException("llama.cpp could not load " + path + LlamaLog.recentSuffix());
            }
            NativeHandles.MODELS.incrementAndGet();
            try {
                NativeHandles.step("model.constructor");
                return new LlamaModel(path, m, gguf, options.vocabOnly(), options.mmap(), options.gpuLayers());
            } catch (RuntimeException | Error e) {
                // the model is nobody's yet: free it here (the caller still owns the GGUF file)
                Llama.modelFree(m);
                NativeHandles.MODELS.decrementAndGet();
                throw e;
            }
        }
    }

    private static final MethodHandle PROGRESS;

    static {
        try {
            PROGRESS = MethodHandles.lookup().findStatic(LlamaModel.class, "progress",
                    MethodType.methodType(boolean.class, DoubleConsumer.class, float.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Progress upcall: never throws, always continues loading. */
    private static boolean progress(DoubleConsumer c, float p, MemorySegment userData) {
        try {
            c.accept(p);
        } catch (Throwable ignored) {
            // a listener's failure must not reach native code
        }
        return true;
    }

    private static void set(MemorySegment s, String field, int v) {
        s.set(ValueLayout.JAVA_INT, Layouts.offset(Layouts.MODEL_PARAMS, field), v);
    }

    private ModelInfo readInfo(boolean vocabOnly) {
        String arch = gguf.architecture();
        Map<String, String> meta = new LinkedHashMap<>();
        gguf.metadata().forEach((k, v) -> meta.put(k, v.display()));
        String name = gguf.getString("general.name").orElse(path.getFileName().toString().replaceFirst("\\.gguf$", ""));
        String desc;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            int n = Llama.modelDesc(handle, buf, 256);
            desc = n > 0 ? buf.getString(0) : arch;
        }
        int ctx = (int) gguf.getLong(arch + ".context_length").orElse(0L).longValue();
        int embd = (int) gguf.getLong(arch + ".embedding_length").orElse(0L).longValue();
        int layers = (int) gguf.getLong(arch + ".block_count").orElse(0L).longValue();
        int heads = gguf.get(arch + ".attention.head_count").map(v -> v instanceof GgufValue.Int i ? (int) i.value() : 0).orElse(0);
        int headsKv = gguf.get(arch + ".attention.head_count_kv").map(v -> v instanceof GgufValue.Int i ? (int) i.value() : 0).orElse(heads);
        if (!vocabOnly) {
            ctx = Llama.intOf(Llama.MODEL_N_CTX_TRAIN, handle);
            embd = Llama.intOf(Llama.MODEL_N_EMBD, handle);
            layers = Llama.intOf(Llama.MODEL_N_LAYER, handle);
            heads = Llama.intOf(Llama.MODEL_N_HEAD, handle);
            headsKv = Llama.intOf(Llama.MODEL_N_HEAD_KV, handle);
        }
        long params = vocabOnly ? 0 : Llama.longOf(Llama.MODEL_N_PARAMS, handle);
        long size = vocabOnly ? 0 : Llama.longOf(Llama.MODEL_SIZE, handle);
        return new ModelInfo(arch, name, desc, embd, layers, heads, headsKv, ctx, tokenizer.vocabularySize(), params, size,
                vocabOnly, meta);
    }

    /**
     * True for encoder-only embedding models (BERT and kin: a pooling type other than none in the metadata, or a
     * BERT architecture): they embed text but have no language-model head to generate with.
     */
    boolean embeddingOnly() {
        String arch = info.architecture();
        // a pooling type other than NONE (0) or UNSPECIFIED (-1, as uint32 in files llama_model_save_to_file writes)
        // marks an embedding model
        return !info.vocabOnly() && (arch.contains("bert")
                || gguf.getLong(arch + ".pooling_type").map(p -> p != 0 && p != -1 && p != 0xFFFFFFFFL).orElse(false));
    }

    @Override
    public Kind kind() {
        return info.vocabOnly() ? Kind.VOCABULARY : embeddingOnly() ? Kind.EMBEDDER : Kind.GENERATOR;
    }

    /** The file this model was loaded from. */
    public Path path() {
        return path;
    }

    /** The model's GGUF file (metadata and tensor directory), valid while the model is open. */
    @Override
    public java.util.Optional<GgufFile> gguf() {
        try (var u = use()) {
            return java.util.Optional.of(gguf);
        }
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public Session newSession(SessionOptions options) {
        if (info.vocabOnly()) {
            throw new UnsupportedOperationException("Model '" + info.name() + "' was loaded as a vocabulary only (" + path
                    + " has no weights): it can tokenize but not generate");
        }
        if (embeddingOnly() && !options.embeddings()) {
            throw new UnsupportedOperationException("Model '" + info.name() + "' is an embedding model: open its session with embeddings on");
        }
        try (var u = use()) {
            LlamaSession s = new LlamaSession(this, options);
            NativeHandles.step("model.sessionMade");
            sessions.add(s);
            NativeHandles.step("model.sessionOpened");
            if (closing) { // close() began while this session was being made: it must not outlive the model
                s.close();
                throw new IllegalStateException("Model '" + info.name() + "' is being closed");
            }
            return s;
        }
    }

    void sessionClosed(LlamaSession s) {
        sessions.remove(s);
    }

    /** True if the weights are memory-mapped from the file (read-only: such a model cannot be trained). */
    boolean mapped() {
        return mapped;
    }

    @Override
    public TrainingContext openTraining(TrainingOptions options) {
        if (info.vocabOnly() || !canGenerate()) {
            throw new UnsupportedOperationException("Model '" + info.name() + "' cannot be trained: it is "
                    + (info.vocabOnly() ? "a vocabulary only" : "an embedding model") + " (" + path + ")");
        }
        try (var u = use()) {
            LlamaTrainingContext t = LlamaTrainingContext.open(this, options);
            trainings.add(t);
            if (closing) {
                t.close();
                throw new IllegalStateException("Model '" + info.name() + "' is being closed");
            }
            return t;
        }
    }

    void trainingClosed(LlamaTrainingContext t) {
        trainings.remove(t);
    }

    @Override
    public io.gptlens.core.model.Internals internals(int[] tokens, io.gptlens.core.model.Internals.Capture capture) {
        if (info.vocabOnly()) {
            throw new UnsupportedOperationException("Model '" + info.name() + "' is a vocabulary only: it has no internals to show");
        }
        try (var u = use()) {
            return TensorCapture.run(this, tokens, capture);
        }
    }

    @Override
    public float[] patchedLogits(int[] tokens, java.util.List<io.gptlens.core.model.Patch> patches) {
        checkPatchable();
        try (var u = use(); var p = ActivationPatch.open(this, tokens, false)) {
            return p.logits(patches);
        }
    }

    /** The prompt in a context of its own that keeps the unpatched prefix's cache between runs; the caller closes it. */
    @Override
    public io.gptlens.core.model.Patcher patcher(int[] tokens) {
        checkPatchable();
        try (var u = use()) {
            ActivationPatch p = ActivationPatch.open(this, tokens, true);
            sessions.add(p.session()); // it outlives this call: close() must close it too
            if (closing) {
                p.close();
                throw new IllegalStateException("Model '" + info.name() + "' is being closed");
            }
            return p;
        }
    }

    private void checkPatchable() {
        if (info.vocabOnly()) {
            throw new UnsupportedOperationException("Model '" + info.name() + "' is a vocabulary only: it has no activations to patch");
        }
        if (gpuLayers != 0) {
            throw new UnsupportedOperationException("Patching writes activations in place on the CPU backend; model '" + info.name()
                    + "' runs layers on a GPU (load it with 0 GPU layers to patch it)");
        }
    }

    /**
     * The model's final normalisation (for the logit lens): {@code output_norm.weight} (and
     * {@code .bias}), RMSNorm when the file gives {@code <arch>.attention.layer_norm_rms_epsilon},
     * LayerNorm when it gives {@code <arch>.attention.layer_norm_epsilon}; empty if neither.
     */
    @Override
    public java.util.Optional<io.gptlens.core.model.LogitLens.Norm> finalNorm() {
        try (var u = use()) {
            var w = gguf.tensor("output_norm.weight");
            if (w.isEmpty()) {
                return java.util.Optional.empty();
            }
            String arch = gguf.architecture();
            var rmsEps = gguf.get(arch + ".attention.layer_norm_rms_epsilon");
            var lnEps = gguf.get(arch + ".attention.layer_norm_epsilon");
            if (rmsEps.isEmpty() && lnEps.isEmpty()) {
                return java.util.Optional.empty();
            }
            float[] weight = row(w.get(), 0);
            float[] bias = gguf.tensor("output_norm.bias").map(b -> row(b, 0)).orElse(null);
            double eps = rmsEps.orElseGet(lnEps::get).asDouble();
            return java.util.Optional.of(new io.gptlens.core.model.LogitLens.Norm(weight, bias, eps, rmsEps.isPresent()));
        }
    }

    private float[] row(TensorInfo t, long r) {
        long rowBytes = t.type().byteSize(t.rowLength());
        float[] out = new float[Math.toIntExact(t.rowLength())];
        GgmlConvert.toFloat(t.type(), gguf.tensorData(t).asSlice(r * rowBytes, rowBytes), out);
        return out;
    }

    @Override
    public float[] embeddingRow(int token) {
        return row("token_embd.weight", token);
    }

    @Override
    public float[] unembeddingRow(int token) {
        return row(tiedEmbeddings() ? "token_embd.weight" : "output.weight", token);
    }

    @Override
    public boolean tiedEmbeddings() {
        return gguf.tensor("output.weight").isEmpty();
    }

    private float[] row(String tensor, int token) {
        tokenizer.checkToken(token);
        try (var u = use()) {
            TensorInfo t = gguf.tensor(tensor).orElseThrow(() -> new UnsupportedOperationException(path + " has no tensor " + tensor));
            if (token >= t.rowCount()) {
                throw new IllegalArgumentException("Token " + token + " has no row in " + tensor + " (" + t.rowCount() + " rows)");
            }
            return row(t, token);
        }
    }

    @Override
    public java.util.Optional<String> chatTemplate() {
        return gguf.metadata().get("tokenizer.chat_template") instanceof io.gptlens.core.gguf.GgufValue.Str s
                ? java.util.Optional.of(s.value()) : java.util.Optional.empty();
    }

    @Override
    public java.util.List<io.gptlens.core.sampling.SamplerProvider> samplerProviders() {
        return java.util.List.of(grammar);
    }

    /** The native model, for sessions of this package. Callers hold {@link #use()}. */
    MemorySegment handle() {
        return handle;
    }

    /** The native vocabulary, for the tokenizer. Callers hold {@link #use()}. */
    MemorySegment vocab() {
        return vocab;
    }

    /** Marks a native call in progress: the model cannot be freed until it ends. */
    Use use() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new IllegalStateException("Model '" + info().name() + "' is closed");
        }
        return () -> lock.readLock().unlock();
    }

    /** A call in progress; closing it never throws. */
    interface Use extends AutoCloseable {
        @Override
        void close();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closing = true; // before the snapshot: a session added after it sees the flag and closes itself
        Throwable first = null;
        for (LlamaSession s : sessions.toArray(LlamaSession[]::new)) {
            try {
                s.close();
            } catch (RuntimeException | Error e) {
                first = first == null ? e : first;
            }
        }
        for (LlamaTrainingContext t : trainings.toArray(LlamaTrainingContext[]::new)) {
            try {
                t.close(); // waits for a chunk of steps in progress
            } catch (RuntimeException | Error e) {
                first = first == null ? e : first;
            }
        }
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                Llama.modelFree(handle);
                NativeHandles.MODELS.decrementAndGet();
            } finally {
                gguf.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first instanceof Error e) {
            throw e;
        }
    }

    @Override
    public String toString() {
        return "LlamaModel[" + path + "]";
    }
}
