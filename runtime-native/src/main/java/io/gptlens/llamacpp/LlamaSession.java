package io.gptlens.llamacpp;

import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.llamacpp.internal.Layouts;
import io.gptlens.llamacpp.internal.Llama;
import io.gptlens.llamacpp.internal.LlamaLog;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CancellationException;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A llama.cpp context ({@code llama_context *}) with its own CPU threadpool and abort callback.
 *
 * <p><b>Ownership:</b> owns the context, the threadpool and the upcall stubs (in a shared arena
 * closed by {@link #close()}); closing twice is safe; use after close throws
 * {@link IllegalStateException}. <b>Thread-safety:</b> methods are synchronized, so one thread
 * works at a time; {@link #cancel()} is lock-free and may be called from any thread.
 */
public final class LlamaSession implements Session {

    private static final MethodHandle ABORT;
    private static final java.lang.invoke.VarHandle FLAG = JAVA_INT.varHandle();

    static {
        try {
            ABORT = MethodHandles.lookup().findStatic(LlamaSession.class, "abort", MethodType.methodType(boolean.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LlamaModel model;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment ctx;
    private final MemorySegment memory;
    private final MemorySegment threadpool;
    private final MethodHandle threadpoolFree;
    /**
     * The cancel flag, in native memory: an int that is 1 when a cancel is pending, followed by
     * zero bytes. llama.cpp's abort callback is libc's {@code strlen} on it (see {@link #abortCallback}),
     * which ggml calls after every graph node: it answers 1 (abort) or 0 without an upcall into Java.
     */
    private final MemorySegment cancelFlag;
    private final int nCtx;
    private final int nBatch;
    private final int nSeq;
    private final int nVocab;
    private int[] lastOutputs = new int[0];
    private boolean closed;

    LlamaSession(LlamaModel model, SessionOptions o) {
        this(model, o, null);
    }

    /**
     * @param evalCallback if not null, makes the {@code cb_eval} upcall stub (in the session's arena) that
     *                     llama.cpp calls for every graph node
     */
    LlamaSession(LlamaModel model, SessionOptions o, java.util.function.Function<Arena, MemorySegment> evalCallback) {
        this.model = model;
        this.cancelFlag = arena.allocate(8, 8); // zeroed: no cancel pending
        int threads = o.threads() > 0 ? o.threads() : Runtime.getRuntime().availableProcessors();
        int ctxLen = o.contextLength() > 0 ? o.contextLength() : Math.min(4096, Math.max(16, model.info().contextLength()));
        MemorySegment c = MemorySegment.NULL;
        MemorySegment tp = MemorySegment.NULL;
        MethodHandle tpFreeHandle = null;
        try {
            MemorySegment p = Llama.contextDefaultParams(arena);
            setInt(p, "n_ctx", ctxLen);
            setInt(p, "n_batch", o.batchSize());
            setInt(p, "n_ubatch", o.batchSize());
            setInt(p, "n_seq_max", o.maxSequences());
            setInt(p, "n_threads", threads);
            setInt(p, "n_threads_batch", threads);
            setInt(p, "flash_attn_type", o.flashAttention() ? 1 : 0);
            p.set(JAVA_BOOLEAN, Layouts.offset(Layouts.CONTEXT_PARAMS, "embeddings"), o.embeddings());
            // one cache for all sequences, so a branch can share its prefix's cells (llama_memory_seq_cp)
            p.set(JAVA_BOOLEAN, Layouts.offset(Layouts.CONTEXT_PARAMS, "kv_unified"), true);
            p.set(ADDRESS, Layouts.offset(Layouts.CONTEXT_PARAMS, "abort_callback"), abortCallback(cancelFlag, arena));
            p.set(ADDRESS, Layouts.offset(Layouts.CONTEXT_PARAMS, "abort_callback_data"), cancelFlag);
            if (evalCallback != null) {
                p.set(ADDRESS, Layouts.offset(Layouts.CONTEXT_PARAMS, "cb_eval"), evalCallback.apply(arena));
            }
            LlamaLog.clearRecent();
            c = Llama.initFromModel(model.handle(), p);
            if (c.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("llama.cpp could not create a context of " + ctxLen + " tokens for " + model.path()
                        + LlamaLog.recentSuffix());
            }
            NativeHandles.CONTEXTS.incrementAndGet();
            NativeHandles.step("session.context");
            this.memory = Llama.memory(c);
            this.nCtx = Llama.intOf(Llama.N_CTX, c);
            this.nBatch = Llama.intOf(Llama.N_BATCH, c);
            this.nSeq = Llama.intOf(Llama.N_SEQ_MAX, c);
            this.nVocab = model.tokenizer().vocabularySize();
            // a persistent threadpool: without one, every decode starts and joins its own threads
            MemorySegment tpNew = Llama.cpuProc(arena.allocateFrom("ggml_threadpool_new"));
            MemorySegment tpFree = Llama.cpuProc(arena.allocateFrom("ggml_threadpool_free"));
            if (!tpNew.equals(MemorySegment.NULL) && !tpFree.equals(MemorySegment.NULL)) {
                MemorySegment tpp = arena.allocate(Layouts.THREADPOOL_PARAMS_SIZE, 8);
                Llama.threadpoolParamsInit(tpp, threads);
                // no busy polling between graph nodes: sessions of several tabs share the cores
                // instead of spinning against each other (ggml's default polls at level 50)
                tpp.set(JAVA_INT, Layouts.THREADPOOL_POLL_OFFSET, Integer.getInteger("gptlens.threadpool.poll", 0));
                tpFreeHandle = Llama.bind(tpFree, FunctionDescriptor.ofVoid(ADDRESS));
                tp = (MemorySegment) Llama.bind(tpNew, FunctionDescriptor.of(ADDRESS, ADDRESS)).invokeExact(tpp);
                if (!tp.equals(MemorySegment.NULL)) {
                    NativeHandles.THREADPOOLS.incrementAndGet();
                    NativeHandles.step("session.threadpool");
                    Llama.attachThreadpool(c, tp, tp);
                }
            }
            NativeHandles.step("session.ready");
        } catch (Throwable t) {
            // the constructor owns what it made until it returns: free it all, whichever step failed
            try {
                freeNative(c, tp, tpFreeHandle, arena);
            } catch (RuntimeException | Error suppressed) {
                t.addSuppressed(suppressed);
            }
            switch (t) {
                case RuntimeException r -> throw r;
                case Error e -> throw e;
                default -> throw new IllegalStateException(t);
            }
        }
        this.ctx = c;
        this.threadpool = tp;
        this.threadpoolFree = tpFreeHandle;
    }

    /**
     * Frees a context, its threadpool and the arena, each even if an earlier one fails; throws
     * the first failure afterwards.
     */
    private static void freeNative(MemorySegment c, MemorySegment tp, MethodHandle tpFree, Arena arena) {
        Throwable first = null;
        if (!c.equals(MemorySegment.NULL)) {
            try {
                NativeHandles.step("session.detach");
                Llama.detachThreadpool(c);
            } catch (Throwable t) {
                first = t;
            }
            try {
                Llama.free(c);
                NativeHandles.CONTEXTS.decrementAndGet();
            } catch (Throwable t) {
                first = first == null ? t : first;
            }
        }
        if (tpFree != null && !tp.equals(MemorySegment.NULL)) {
            try {
                tpFree.invokeExact(tp);
                NativeHandles.THREADPOOLS.decrementAndGet();
            } catch (Throwable t) {
                first = first == null ? t : first;
            }
        }
        try {
            arena.close();
        } catch (Throwable t) {
            first = first == null ? t : first;
        }
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first instanceof Error e) {
            throw e;
        }
        if (first != null) {
            throw new IllegalStateException(first);
        }
    }

    /**
     * The abort callback, {@code bool (*)(void *data)}, called by ggml after every graph node with
     * {@code data} = the cancel flag. libc's {@code strlen} has the same calling convention and, on
     * the flag's bytes ({@code 01 00} or {@code 00}), returns exactly 1 or 0: a cancel check without
     * a Java upcall per node (an upcall costs a thread-state transition, about 1 % of a Qwen-0.5B
     * token at ~700 nodes). Where libc's {@code strlen} cannot be found, a Java upcall reads the flag.
     */
    private static MemorySegment abortCallback(MemorySegment flag, Arena arena) {
        var strlen = Llama.linker().defaultLookup().find("strlen");
        if (strlen.isPresent() && !Boolean.getBoolean("gptlens.abort.upcall")) {
            return strlen.get();
        }
        return Llama.linker().upcallStub(ABORT, FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS), arena);
    }

    /** The abort upcall where strlen is not at hand: true stops the running decode. Never throws. */
    private static boolean abort(MemorySegment data) {
        try {
            return (int) FLAG.getVolatile(data.reinterpret(8), 0L) != 0;
        } catch (Throwable t) {
            return false;
        }
    }

    private void setCancel(boolean on) {
        try {
            FLAG.setVolatile(cancelFlag, 0L, on ? 1 : 0);
        } catch (IllegalStateException closed) {
            // the session is closed and its flag freed: there is nothing left to cancel
        }
    }

    /** Reads and clears a pending cancel. */
    private boolean takeCancel() {
        return (int) FLAG.getAndSet(cancelFlag, 0L, 0) != 0;
    }

    private static void setInt(MemorySegment s, String field, int v) {
        s.set(JAVA_INT, Layouts.offset(Layouts.CONTEXT_PARAMS, field), v);
    }

    @Override
    public Model model() {
        return model;
    }

    @Override
    public int contextLength() {
        return nCtx;
    }

    @Override
    public int batchSize() {
        return nBatch;
    }

    @Override
    public int maxSequences() {
        return nSeq;
    }

    @Override
    public synchronized void evaluate(Batch b) {
        ensureOpen();
        if (b.size() > nBatch) {
            throw new IllegalArgumentException("Batch of " + b.size() + " tokens exceeds the session's batch size " + nBatch);
        }
        for (int i = 0; i < b.size(); i++) {
            if (b.token(i) < 0 || b.token(i) >= nVocab) {
                throw new IllegalArgumentException("Token id " + b.token(i) + " is outside the vocabulary [0, " + nVocab + ")");
            }
            if (b.position(i) < 0 || b.position(i) >= nCtx) {
                throw new IllegalArgumentException("Position " + b.position(i) + " is outside the context [0, " + nCtx + ")");
            }
            if (b.sequence(i) < 0 || b.sequence(i) >= nSeq) {
                throw new IllegalArgumentException("Sequence id " + b.sequence(i) + " is outside [0, " + nSeq + ")");
            }
        }
        if (takeCancel()) {
            throw new CancellationException("Cancelled");
        }
        int n = b.size();
        try (Arena a = Arena.ofConfined(); var use = model.use()) {
            MemorySegment tokens = a.allocateFrom(JAVA_INT, b.tokens());
            MemorySegment pos = a.allocateFrom(JAVA_INT, b.positions());
            MemorySegment nSeqId = a.allocate(JAVA_INT, n);
            MemorySegment seqIds = a.allocate(ADDRESS, n);
            MemorySegment seqValues = a.allocateFrom(JAVA_INT, b.sequences());
            MemorySegment logits = a.allocate(ValueLayout.JAVA_BYTE, n);
            int outputs = 0;
            for (int i = 0; i < n; i++) {
                nSeqId.setAtIndex(JAVA_INT, i, 1);
                seqIds.setAtIndex(ADDRESS, i, seqValues.asSlice(4L * i, 4));
                logits.set(ValueLayout.JAVA_BYTE, i, (byte) (b.output(i) ? 1 : 0));
                outputs += b.output(i) ? 1 : 0;
            }
            MemorySegment batch = a.allocate(Layouts.BATCH);
            batch.set(JAVA_INT, Layouts.offset(Layouts.BATCH, "n_tokens"), n);
            batch.set(ADDRESS, Layouts.offset(Layouts.BATCH, "token"), tokens);
            batch.set(ADDRESS, Layouts.offset(Layouts.BATCH, "embd"), MemorySegment.NULL);
            batch.set(ADDRESS, Layouts.offset(Layouts.BATCH, "pos"), pos);
            batch.set(ADDRESS, Layouts.offset(Layouts.BATCH, "n_seq_id"), nSeqId);
            batch.set(ADDRESS, Layouts.offset(Layouts.BATCH, "seq_id"), seqIds);
            batch.set(ADDRESS, Layouts.offset(Layouts.BATCH, "logits"), logits);
            LlamaLog.clearRecent();
            // encoder-only models (BERT and kin) run through llama_encode; the rest through llama_decode
            int rc = model.embeddingOnly() ? Llama.encode(ctx, batch) : Llama.decode(ctx, batch);
            switch (rc) {
                case 0 -> {
                }
                case 1 -> throw new IllegalStateException("The context is full: no room for " + n + " more tokens (context " + nCtx + ")");
                case 2 -> {
                    setCancel(false);
                    throw new CancellationException("Cancelled during evaluation");
                }
                case -1 -> throw new IllegalArgumentException("llama.cpp rejected the batch" + LlamaLog.recentSuffix());
                default -> throw new IllegalStateException("llama_decode failed with " + rc + LlamaLog.recentSuffix());
            }
            int[] out = new int[outputs];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (b.output(i)) {
                    out[k++] = i;
                }
            }
            lastOutputs = out;
        }
    }

    @Override
    public synchronized float[] logits(int i) {
        ensureOpen();
        int idx = checkOutput(i);
        try (var use = model.use()) {
            MemorySegment p = Llama.logitsIth(ctx, idx);
            if (p.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("llama.cpp has no logits for batch index " + idx + LlamaLog.recentSuffix());
            }
            return p.reinterpret(4L * nVocab).toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    @Override
    public synchronized float[] logits(int i, float[] into) {
        ensureOpen();
        int idx = checkOutput(i);
        if (into.length < nVocab) {
            throw new IllegalArgumentException("A buffer of " + into.length + " floats cannot hold " + nVocab + " logits");
        }
        try (var use = model.use()) {
            MemorySegment p = Llama.logitsIth(ctx, idx);
            if (p.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("llama.cpp has no logits for batch index " + idx + LlamaLog.recentSuffix());
            }
            MemorySegment.copy(p.reinterpret(4L * nVocab), ValueLayout.JAVA_FLOAT, 0, into, 0, nVocab);
            return into;
        }
    }

    /** Runs {@code chain} as one llama.cpp {@code llama_sampler_chain}; see {@link NativeChain}. */
    @Override
    public NativeChain runNatively(SamplerChain chain) {
        ensureOpen();
        return new NativeChain(chain, this);
    }

    /** {@code llama_sampler_sample} over output {@code i} of the last batch. */
    synchronized int sampleNatively(MemorySegment chain, int i) {
        ensureOpen();
        int idx = checkOutput(i);
        try (var use = model.use()) {
            return Llama.samplerSample(chain, ctx, idx);
        }
    }

    @Override
    public synchronized float[] embedding(int i) {
        ensureOpen();
        int idx = checkOutput(i);
        try (var use = model.use()) {
            MemorySegment p = Llama.embeddingsIth(ctx, idx);
            if (p.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("No embeddings: open the session with embeddings enabled");
            }
            return p.reinterpret(4L * model.info().embeddingLength()).toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    @Override
    public synchronized float[] sequenceEmbedding(int sequence) {
        ensureOpen();
        checkSeq(sequence);
        try (var use = model.use()) {
            MemorySegment p = Llama.embeddingsSeq(ctx, sequence);
            if (p.equals(MemorySegment.NULL)) {
                throw new UnsupportedOperationException("No pooled embedding for sequence " + sequence
                        + ": open the session with embeddings on a model that pools (e.g. a sentence-embedding model)");
            }
            return p.reinterpret(4L * model.info().embeddingLength()).toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private int checkOutput(int i) {
        if (lastOutputs.length == 0) {
            throw new IllegalStateException("No outputs: evaluate a batch with at least one output first");
        }
        if (i == -1) {
            return lastOutputs[lastOutputs.length - 1];
        }
        for (int o : lastOutputs) {
            if (o == i) {
                return i;
            }
        }
        throw new IllegalArgumentException("Batch index " + i + " was not marked as an output");
    }

    @Override
    public synchronized void removeTokens(int sequence, int p0, int p1) {
        ensureOpen();
        checkSeq(sequence);
        if (noMemory()) {
            return; // encoder-only models keep no KV cache: nothing to remove
        }
        if (!Llama.memorySeqRm(memory, sequence, p0, p1)) {
            throw new IllegalStateException("llama.cpp could not remove positions [" + p0 + ", " + p1 + ") of sequence " + sequence);
        }
    }

    @Override
    public synchronized void copySequence(int src, int dst, int p0, int p1) {
        ensureOpen();
        checkSeq(src);
        checkSeq(dst);
        if (noMemory()) {
            throw new UnsupportedOperationException("This model keeps no KV cache (an encoder): sequences cannot be copied");
        }
        Llama.memorySeqCp(memory, src, dst, p0, p1);
    }

    @Override
    public synchronized void keepOnly(int sequence) {
        ensureOpen();
        checkSeq(sequence);
        if (!noMemory()) {
            Llama.memorySeqKeep(memory, sequence);
        }
    }

    @Override
    public synchronized int maxPosition(int sequence) {
        ensureOpen();
        checkSeq(sequence);
        return noMemory() ? -1 : Llama.memorySeqPosMax(memory, sequence);
    }

    @Override
    public synchronized void clear() {
        ensureOpen();
        if (!noMemory()) {
            Llama.memoryClear(memory, true);
        }
    }

    @Override
    public synchronized void steer(float[][] perLayer) {
        ensureOpen();
        int layers = model.info().layers();
        int d = model.info().embeddingLength();
        int first = -1;
        int last = -1;
        if (perLayer != null) {
            if (perLayer.length != layers) {
                throw new IllegalArgumentException("Steering needs one row per layer: " + layers + ", got " + perLayer.length);
            }
            if (perLayer[0] != null) {
                throw new IllegalArgumentException("Block 0's output cannot be steered (llama.cpp's control vectors start at layer 1)");
            }
            for (int l = 1; l < layers; l++) {
                if (perLayer[l] != null) {
                    if (perLayer[l].length != d) {
                        throw new IllegalArgumentException("Layer " + l + "'s steering has " + perLayer[l].length + " values, not " + d);
                    }
                    first = first < 0 ? l : first;
                    last = l;
                }
            }
        }
        int rc;
        if (first < 0) {
            rc = Llama.setAdapterCvec(ctx, MemorySegment.NULL, 0, d, -1, -1);
        } else {
            try (Arena a = Arena.ofConfined()) { // llama.cpp copies the values into its own tensors
                MemorySegment data = a.allocate(4L * d * (layers - 1), 4);
                for (int l = 1; l < layers; l++) {
                    if (perLayer[l] != null) {
                        MemorySegment.copy(perLayer[l], 0, data, ValueLayout.JAVA_FLOAT, 4L * d * (l - 1), d);
                    }
                }
                rc = Llama.setAdapterCvec(ctx, data, (long) d * (layers - 1), d, first, last);
            }
        }
        if (rc != 0) {
            throw new IllegalStateException("llama.cpp refused the control vector (llama_set_adapter_cvec returned " + rc + ")");
        }
    }

    /** True if the context has no memory module (encoder-only models). */
    private boolean noMemory() {
        return memory.equals(MemorySegment.NULL);
    }

    @Override
    public void cancel() {
        setCancel(true);
    }

    private void checkSeq(int s) {
        if (s < 0 || s >= nSeq) {
            throw new IllegalArgumentException("Sequence id " + s + " is outside [0, " + nSeq + ")");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Session is closed");
        }
    }

    @Override
    public void clearCancel() {
        setCancel(false);
    }

    @Override
    public void close() {
        setCancel(true); // stop a decode in progress so the lock is released soon
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                freeNative(ctx, threadpool, threadpoolFree, arena);
            }
        } finally {
            model.sessionClosed(this);
        }
    }
}
