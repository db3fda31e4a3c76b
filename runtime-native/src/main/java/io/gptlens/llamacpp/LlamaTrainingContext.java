package io.gptlens.llamacpp;

import io.gptlens.core.gguf.GgmlType;
import io.gptlens.core.gguf.TensorInfo;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.training.OptimizerStep;
import io.gptlens.core.training.TokenWindows;
import io.gptlens.core.training.TrainingContext;
import io.gptlens.core.training.TrainingOptions;
import io.gptlens.llamacpp.internal.Layouts;
import io.gptlens.llamacpp.internal.Llama;
import io.gptlens.llamacpp.internal.LlamaLog;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Trains a {@link LlamaModel}'s weights in place with llama.cpp's own trainer: {@code llama_opt_init}
 * once, then {@code llama_opt_epoch} over ggml-opt datasets of windows, AdamW's settings supplied
 * per optimizer step by an upcall ({@code get_opt_pars}), each step's loss and accuracy read by
 * the epoch callback (an upcall that never lets anything escape into C).
 *
 * <p>What training needs that inference does not:
 * <ul>
 *   <li>weights in writable memory: the model must be loaded without mmap (a mapped file is read-only);</li>
 *   <li>F32 weights: ggml's optimizer step updates F32 tensors only;</li>
 *   <li>an F32 KV cache and flash attention off: {@code FLASH_ATTN_EXT} has no backward pass, and the
 *       F16 cache's copies have none either;</li>
 *   <li>W_E marked trainable by hand: this llama.cpp version's {@code llama_opt_init} skips
 *       {@code token_embd.weight} ("FIXME" in {@code llama-context.cpp}), so a model with tied
 *       embeddings would train neither W_E nor W_U. The tensor is found through the graph callback
 *       (it is the source of the input {@code GET_ROWS}) and flagged with {@code ggml_set_param}
 *       before the first optimizer graph is built.</li>
 * </ul>
 * One window is one optimizer step, computed as {@link #MICRO_BATCHES} micro-batches whose gradients
 * are summed ({@code n_batch = n_ctx}, {@code n_ubatch = n_ctx / 2}): llama.cpp's trainer takes one
 * sequence per step. Two, not one, because ggml-opt (this version) zeroes the gradient accumulators
 * only when an optimizer step follows more than one micro-batch ({@code opt_period > 1} in
 * {@code ggml_opt_alloc}); with one micro-batch per step every gradient would be the running sum of
 * all earlier ones, and training diverges (measured: the loss rose above ln V within 400 steps).
 *
 * <p>Also missing in this version, and not fixable from outside: the KV cache is written with
 * {@code SET_ROWS}, which has no backward pass, so no gradient reaches {@code attn_k} and
 * {@code attn_v}; they keep their random initialisation (a fixed random projection of the residual
 * stream) while the queries, the output projection and everything else learn.
 *
 * <p><b>Ownership:</b> owns the llama context, its optimizer state and the upcall stubs; {@link #close()}
 * frees them (twice is safe) and leaves the model open. <b>Thread-safety:</b> methods are synchronized;
 * a close waits for a call in progress.
 */
final class LlamaTrainingContext implements TrainingContext {

    private static final System.Logger LOG = System.getLogger(LlamaTrainingContext.class.getName());

    private static final MethodHandle OPT_PARS;
    private static final MethodHandle EPOCH;
    private static final MethodHandle FIND_EMBD;

    static {
        try {
            var l = MethodHandles.lookup();
            OPT_PARS = l.findVirtual(LlamaTrainingContext.class, "optimizerParams", MethodType.methodType(MemorySegment.class, MemorySegment.class));
            EPOCH = l.findVirtual(LlamaTrainingContext.class, "onBatch", MethodType.methodType(void.class, boolean.class,
                    MemorySegment.class, MemorySegment.class, MemorySegment.class, long.class, long.class, long.class));
            FIND_EMBD = l.findStatic(LlamaTrainingContext.class, "findEmbedding", MethodType.methodType(boolean.class,
                    AtomicReference.class, MemorySegment.class, boolean.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Micro-batches per window (per optimizer step); see the class comment. */
    static final int MICRO_BATCHES = 2;

    private static final long SRC_OFFSET = Layouts.offset(Layouts.GGML_TENSOR_HEAD, "src");
    private static final long ADAMW = Layouts.OPT_OPTIMIZER_PARAMS.byteOffset(MemoryLayout.PathElement.groupElement("adamw"));

    private final LlamaModel model;
    private final TrainingOptions options;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment ctx;
    private final MemorySegment optParams;
    private final MemorySegment epochStub;
    private long step;
    private double learningRate;
    private boolean closed;

    // state of the train() call in progress, touched only on its thread (inside upcalls)
    private StepListener listener;
    private long lastNanos;
    private double lastLossSum;
    private double lastCorrect;
    private long lastData;
    private int lastBatch;
    private Throwable upcallFailure;

    private LlamaTrainingContext(LlamaModel model, TrainingOptions options) {
        this.model = model;
        this.options = options;
        this.step = options.firstStep();
        int threads = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
        int w = options.window();
        MemorySegment c = MemorySegment.NULL;
        try {
            MemorySegment p = Llama.contextDefaultParams(arena);
            setInt(p, "n_ctx", w);
            setInt(p, "n_batch", w);
            setInt(p, "n_ubatch", w / MICRO_BATCHES);
            setInt(p, "n_seq_max", 1);
            setInt(p, "n_threads", threads);
            setInt(p, "n_threads_batch", threads);
            setInt(p, "flash_attn_type", 0); // LLAMA_FLASH_ATTN_TYPE_DISABLED: no backward pass for FLASH_ATTN_EXT
            setInt(p, "type_k", 0); // GGML_TYPE_F32
            setInt(p, "type_v", 0);
            LlamaLog.clearRecent();
            c = Llama.initFromModel(model.handle(), p);
            if (c.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("llama.cpp could not create a training context of " + w + " tokens for " + model.path()
                        + LlamaLog.recentSuffix());
            }
            NativeHandles.CONTEXTS.incrementAndGet();
            int padded = Llama.intOf(Llama.N_CTX, c);
            if (padded != w) {
                throw new IllegalArgumentException("llama.cpp made a context of " + padded + " tokens for windows of " + w
                        + ": training windows must be a multiple of 256 tokens");
            }
            this.optParams = arena.allocate(Layouts.OPT_OPTIMIZER_PARAMS);
            MemorySegment parsStub = Llama.linker().upcallStub(OPT_PARS.bindTo(this),
                    FunctionDescriptor.of(Layouts.OPT_OPTIMIZER_PARAMS, ADDRESS), arena);
            this.epochStub = Llama.linker().upcallStub(EPOCH.bindTo(this),
                    FunctionDescriptor.ofVoid(JAVA_BOOLEAN, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG), arena);
            MemorySegment op = arena.allocate(Layouts.OPT_PARAMS);
            op.set(JAVA_INT, Layouts.offset(Layouts.OPT_PARAMS, "n_ctx_train"), 0); // the context's
            op.set(ADDRESS, Layouts.offset(Layouts.OPT_PARAMS, "param_filter"), Llama.optParamFilterAll());
            op.set(ADDRESS, Layouts.offset(Layouts.OPT_PARAMS, "get_opt_pars"), parsStub);
            op.set(JAVA_INT, Layouts.offset(Layouts.OPT_PARAMS, "optimizer_type"), 0); // GGML_OPT_OPTIMIZER_TYPE_ADAMW
            setThreads(c, model);
            Llama.optInit(c, model.handle(), op);
        } catch (RuntimeException | Error e) {
            if (!c.equals(MemorySegment.NULL)) {
                Llama.free(c);
                NativeHandles.CONTEXTS.decrementAndGet();
            }
            arena.close();
            throw e;
        }
        this.ctx = c;
    }

    /** Opens a training context on {@code model} after checking that it can be trained. Callers hold the model's use. */
    static LlamaTrainingContext open(LlamaModel model, TrainingOptions options) {
        if (model.mapped()) {
            throw new IllegalArgumentException("Model '" + model.info().name() + "' is memory-mapped from " + model.path()
                    + ": load it without mmap to train it (its weights must be writable)");
        }
        for (TensorInfo t : model.gguf().orElseThrow().tensors().values()) {
            if (t.type() != GgmlType.F32) {
                throw new IllegalArgumentException("Training needs F32 weights; " + t.name() + " in " + model.path() + " is " + t.type());
            }
        }
        markEmbeddingTrainable(model);
        return new LlamaTrainingContext(model, options);
    }

    /**
     * Flags {@code token_embd.weight} as a parameter (see the class comment): one decode of one token in a
     * throwaway context whose graph callback finds the tensor as a source of a graph node.
     */
    private static void markEmbeddingTrainable(LlamaModel model) {
        AtomicReference<MemorySegment> found = new AtomicReference<>();
        SessionOptions o = new SessionOptions(16, 1, 1, 1, false, false);
        try (LlamaSession s = new LlamaSession(model, o, arena -> Llama.linker().upcallStub(FIND_EMBD.bindTo(found),
                FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_BOOLEAN, ADDRESS), arena))) {
            int bos = model.tokenizer().specialTokens().bos();
            s.evaluate(Batch.of(new int[] {Math.max(0, bos)}, 0, 0));
        }
        MemorySegment t = found.get();
        if (t == null) {
            throw new IllegalStateException("token_embd.weight of " + model.path() + " was not found in the model's graph; it cannot be trained");
        }
        Llama.setParam(t);
    }

    /** Graph callback: records the tensor named token_embd.weight among a node's sources. Never throws. */
    private static boolean findEmbedding(AtomicReference<MemorySegment> found, MemorySegment node, boolean ask, MemorySegment ud) {
        try {
            if (found.get() == null && ask) {
                MemorySegment head = node.reinterpret(Layouts.GGML_TENSOR_HEAD.byteSize());
                for (int i = 0; i < 10; i++) {
                    MemorySegment src = head.get(ADDRESS, SRC_OFFSET + 8L * i);
                    if (!src.equals(MemorySegment.NULL) && "token_embd.weight".equals(Llama.tensorName(src))) {
                        found.set(src);
                        break;
                    }
                }
            }
        } catch (Throwable t) {
            // nothing may reach native code; a miss is reported by the caller
        }
        return false;
    }

    /**
     * Decodes one token and clears the cache again: {@code llama_opt_epoch} computes its graphs without
     * setting the CPU backend's thread count, which only a decode sets. Without this the backend keeps
     * ggml's default of 4 threads, which spin against each other on fewer cores (measured on 2 cores:
     * 260 tokens/s instead of 18,600 for a 131k-parameter model).
     */
    private static void setThreads(MemorySegment c, LlamaModel model) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment tok = a.allocateFrom(JAVA_INT, Math.max(0, model.tokenizer().specialTokens().bos()));
            int rc = Llama.decode(c, Llama.batchGetOne(a, tok, 1));
            if (rc != 0) {
                throw new IllegalStateException("llama.cpp could not decode a token in the training context (" + rc + ")" + LlamaLog.recentSuffix());
            }
            Llama.memoryClear(Llama.memory(c), true);
        }
    }

    private static void setInt(MemorySegment s, String field, int v) {
        s.set(JAVA_INT, Layouts.offset(Layouts.CONTEXT_PARAMS, field), v);
    }

    /** {@code get_opt_pars} upcall: AdamW's settings for the current step. Never throws: a failure freezes the weights (α = 0). */
    private MemorySegment optimizerParams(MemorySegment userData) {
        try {
            OptimizerStep s = options.schedule().apply(step);
            learningRate = s.learningRate();
            put(s.learningRate(), s.beta1(), s.beta2(), s.epsilon(), s.weightDecay());
        } catch (Throwable t) {
            if (upcallFailure == null) {
                upcallFailure = t;
            }
            learningRate = 0;
            put(0, 0.9, 0.999, 1e-8, 0);
        }
        return optParams;
    }

    private void put(double alpha, double beta1, double beta2, double eps, double wd) {
        optParams.set(JAVA_FLOAT, ADAMW, (float) alpha);
        optParams.set(JAVA_FLOAT, ADAMW + 4, (float) beta1);
        optParams.set(JAVA_FLOAT, ADAMW + 8, (float) beta2);
        optParams.set(JAVA_FLOAT, ADAMW + 12, (float) eps);
        optParams.set(JAVA_FLOAT, ADAMW + 16, (float) wd);
        optParams.set(JAVA_FLOAT, ADAMW + 20, (float) alpha); // sgd.alpha
        optParams.set(JAVA_FLOAT, ADAMW + 24, (float) wd);    // sgd.wd
    }

    /** Epoch callback after each training micro-batch; every {@link #MICRO_BATCHES}-th ends a window (a step). Never throws. */
    private void onBatch(boolean train, MemorySegment optCtx, MemorySegment dataset, MemorySegment result, long ibatch, long ibatchMax,
                         long tStartUs) {
        try {
            int batches = (int) ibatch;
            if (batches % MICRO_BATCHES != 0) {
                return;
            }
            long now = System.nanoTime();
            double mean = Llama.optResultValue(result, false)[0];
            double accuracy = Llama.optResultValue(result, true)[0];
            long ndata = Llama.optResultNdata(result);
            double lossSum = mean * batches; // the result holds one mean loss per micro-batch
            double correct = accuracy * ndata;
            int tokens = (int) (ndata - lastData);
            double loss = (lossSum - lastLossSum) / MICRO_BATCHES;
            double acc = tokens > 0 ? (correct - lastCorrect) / tokens : Double.NaN;
            StepResult r = new StepResult(step, loss, acc, tokens, now - lastNanos, learningRate);
            lastLossSum = lossSum;
            lastCorrect = correct;
            lastData = ndata;
            lastBatch = batches / MICRO_BATCHES;
            lastNanos = now;
            step++;
            if (listener != null) {
                listener.onStep(r);
            }
        } catch (Throwable t) {
            if (upcallFailure == null) {
                upcallFailure = t;
            }
        }
    }

    @Override
    public synchronized void train(TokenWindows windows, StepListener l) {
        checkOpen();
        check(windows);
        MemorySegment ds = dataset(windows);
        MemorySegment result = Llama.optResultInit();
        try {
            listener = l;
            lastNanos = System.nanoTime();
            lastLossSum = 0;
            lastCorrect = 0;
            lastData = 0;
            lastBatch = 0;
            upcallFailure = null;
            LlamaLog.clearRecent();
            Llama.optEpoch(ctx, ds, result, MemorySegment.NULL, windows.count(), epochStub, MemorySegment.NULL);
        } finally {
            listener = null;
            Llama.optResultFree(result);
            Llama.optDatasetFree(ds);
        }
        if (lastBatch != windows.count()) {
            throw new IllegalStateException("llama.cpp trained " + lastBatch + " of " + windows.count() + " windows" + LlamaLog.recentSuffix());
        }
        if (upcallFailure != null) {
            throw new IllegalStateException("A training callback failed: " + upcallFailure, upcallFailure);
        }
    }

    @Override
    public synchronized Evaluation evaluate(TokenWindows windows) {
        checkOpen();
        check(windows);
        MemorySegment ds = dataset(windows);
        MemorySegment result = Llama.optResultInit();
        try {
            Llama.optEpoch(ctx, ds, MemorySegment.NULL, result, 0, MemorySegment.NULL, MemorySegment.NULL);
            return new Evaluation(Llama.optResultValue(result, false)[0], Llama.optResultValue(result, true)[0], Llama.optResultNdata(result));
        } finally {
            Llama.optResultFree(result);
            Llama.optDatasetFree(ds);
        }
    }

    /** A ggml-opt dataset holding the windows (I32 data and labels, one window per datapoint). The caller frees it. */
    private MemorySegment dataset(TokenWindows windows) {
        int w = windows.length();
        MemorySegment ds = Llama.optDatasetInit(w, w, windows.count(), 1);
        if (ds.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("ggml could not allocate a dataset of " + windows.count() + " windows");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment in = a.allocateFrom(JAVA_INT, windows.inputs());
            MemorySegment lab = a.allocateFrom(JAVA_INT, windows.labels());
            Llama.tensorSet(Llama.optDatasetTensor(ds, false), in, 0, in.byteSize());
            Llama.tensorSet(Llama.optDatasetTensor(ds, true), lab, 0, lab.byteSize());
        } catch (RuntimeException | Error e) {
            Llama.optDatasetFree(ds);
            throw e;
        }
        return ds;
    }

    private void check(TokenWindows windows) {
        if (windows.length() != options.window()) {
            throw new IllegalArgumentException("Windows of " + windows.length() + " tokens for a training context of " + options.window());
        }
        if (windows.count() == 0) {
            throw new IllegalArgumentException("No windows to train on");
        }
        int v = model.tokenizer().vocabularySize();
        for (int[] a : new int[][] {windows.inputs(), windows.labels()}) {
            for (int t : a) {
                if (t < 0 || t >= v) {
                    throw new IllegalArgumentException("Token id " + t + " is outside the vocabulary [0, " + v + ") of " + model.path());
                }
            }
        }
    }

    @Override
    public synchronized long nextStep() {
        return step;
    }

    @Override
    public synchronized void save(Path file) throws IOException {
        checkOpen();
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve(file.getFileName() + ".part");
        try (Arena a = Arena.ofConfined()) {
            Files.deleteIfExists(tmp);
            Llama.modelSaveToFile(model.handle(), a.allocateFrom(tmp.toString()));
            if (!Files.isRegularFile(tmp) || Files.size(tmp) == 0) {
                throw new IOException("llama.cpp did not write the checkpoint " + tmp + LlamaLog.recentSuffix());
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        LOG.log(System.Logger.Level.DEBUG, "checkpoint at step {0}: {1}", step, file);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("The training context of " + model.path() + " is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Llama.free(ctx);
            NativeHandles.CONTEXTS.decrementAndGet();
        } finally {
            try {
                arena.close();
            } finally {
                model.trainingClosed(this);
            }
        }
    }
}
