package io.gptlens.llamacpp;

import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Patch;
import io.gptlens.core.model.Patcher;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.llamacpp.internal.Layouts;
import io.gptlens.llamacpp.internal.Llama;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Activation patching through llama.cpp's graph evaluation callback: when {@code l_out-N} has been
 * computed, the patched rows are written into it in place ({@code ggml_backend_tensor_set}) before
 * the next block reads it. One prompt in a context of its own, run with one set of patches after
 * another. A patch at position p changes nothing before p: sequence 0 holds the unpatched prompt,
 * computed once in one batch, and each run shares its cells before p with sequence 1
 * ({@code llama_memory_seq_cp}) and computes only the positions from p on there, the last token the
 * only output (so the last layer's {@code l_out} holds that row alone). The shared cells are the very
 * ones a whole run computes; a prefix grown a token at a time would not be (a one-row batch takes
 * another matrix path, and its rounding reaches the logits). Without {@code keepPrefix} (one run)
 * the whole prompt goes in sequence 0 of a context of its own size. Not thread-safe.
 */
final class ActivationPatch implements Patcher {

    private static final MethodHandle CALLBACK;

    static {
        try {
            CALLBACK = MethodHandles.lookup().findVirtual(ActivationPatch.class, "onTensor",
                    MethodType.methodType(boolean.class, MemorySegment.class, boolean.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LlamaModel model;
    private final int[] tokens;
    private final boolean keepPrefix;
    private final int n;
    private final int embd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment row;
    private final LlamaSession session;
    /** The sequence a patched run goes in: 1 beside the kept prompt, 0 when nothing is kept. */
    private final int runs;
    private boolean closed;
    /** The patches of the run under way, by layer; empty while the prefix is computed. */
    private volatile Map<Integer, List<Patch>> byLayer = Map.of();
    /** The first position of the batch under way. */
    private volatile int batchStart;
    /** The unpatched prompt's logits once sequence 0 holds it; null before. */
    private float[] unpatched;
    private volatile Throwable failure;
    private volatile int written;

    private ActivationPatch(LlamaModel model, int[] tokens, boolean keepPrefix) {
        this.model = model;
        this.tokens = tokens.clone();
        this.keepPrefix = keepPrefix;
        this.n = tokens.length;
        this.embd = model.info().embeddingLength();
        this.runs = keepPrefix ? 1 : 0;
        // kept: room for the unpatched prompt (sequence 0) and a patched run's own positions (sequence 1)
        SessionOptions o = new SessionOptions(Math.max(16, keepPrefix ? 2 * n : n), n, keepPrefix ? 2 : 1, 0, false, false);
        try {
            this.row = arena.allocate(4L * embd, 4);
            this.session = new LlamaSession(model, o, a -> Llama.linker().upcallStub(CALLBACK.bindTo(this),
                    FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_BOOLEAN, ADDRESS), a));
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * A patcher of {@code tokens}; the caller closes it. Without {@code keepPrefix} every run computes
     * the whole prompt in one batch (for a single run, which has nothing to share).
     */
    static ActivationPatch open(LlamaModel model, int[] tokens, boolean keepPrefix) {
        if (tokens.length == 0 || tokens.length > TensorCapture.MAX_TOKENS) {
            throw new IllegalArgumentException("Patching runs 1 to " + TensorCapture.MAX_TOKENS + " tokens, got " + tokens.length);
        }
        model.tokenizer().checkTokens(tokens);
        return new ActivationPatch(model, tokens, keepPrefix);
    }

    @Override
    public float[] logits(List<Patch> patches) {
        if (closed) {
            throw new IllegalStateException("The patcher is closed");
        }
        int layers = model.info().layers();
        int expected = 0;
        int from = keepPrefix ? n - 1 : 0;
        Map<Integer, List<Patch>> here = new HashMap<>();
        for (Patch p : patches) {
            if (p.layer() >= layers || p.position() >= n || p.residual().length != embd) {
                throw new IllegalArgumentException("A patch must name a layer below " + layers + ", a position below " + n
                        + " and hold " + embd + " values; got layer " + p.layer() + ", position " + p.position() + ", " + p.residual().length + " values");
            }
            expected += p.layer() < layers - 1 || p.position() == n - 1 ? 1 : 0;
            from = Math.min(from, p.position());
            here.computeIfAbsent(p.layer(), l -> new java.util.ArrayList<>()).add(p);
        }
        if (keepPrefix && unpatched == null) {
            byLayer = Map.of();
            session.evaluate(Batch.of(tokens, 0, 0));
            unpatched = session.logits(-1);
        }
        if (keepPrefix && patches.isEmpty()) {
            return unpatched.clone();
        }
        if (from > 0) {
            session.copySequence(0, runs, 0, from);
        }
        failure = null;
        written = 0;
        byLayer = here;
        batchStart = from;
        float[] logits;
        try {
            session.evaluate(Batch.of(java.util.Arrays.copyOfRange(tokens, from, n), from, runs));
            logits = session.logits(-1);
        } catch (RuntimeException e) {
            try {
                session.removeTokens(runs, 0, -1);
            } catch (RuntimeException again) {
                e.addSuppressed(again); // the first failure is what the caller sees
            }
            throw e;
        } finally {
            byLayer = Map.of();
        }
        session.removeTokens(runs, 0, -1);
        if (failure != null) {
            throw new IllegalStateException("Patching activations failed: " + failure, failure);
        }
        if (written != expected) { // e.g. an architecture that names its layer outputs otherwise
            throw new UnsupportedOperationException("Model '" + model.info().architecture() + "' showed " + written + " of " + expected
                    + " patched rows to llama.cpp's graph callback (l_out-N): it cannot be patched");
        }
        return logits;
    }

    /** Idempotent; once the model is closed, its session is already freed and this frees the rest. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
        } finally {
            arena.close();
        }
    }

    /** The context, for the model to adopt (it closes the sessions still open when it closes). */
    LlamaSession session() {
        return session;
    }

    /** The {@code cb_eval} upcall. Never throws: an exception escaping an upcall ends the JVM. */
    private boolean onTensor(MemorySegment tensor, boolean ask, MemorySegment userData) {
        try {
            String name = Llama.tensorName(tensor);
            List<Patch> here = name != null && name.startsWith("l_out-") ? byLayer.get(TensorCapture.layerOf(name)) : null;
            if (ask || here == null) {
                return here != null;
            }
            MemorySegment head = tensor.reinterpret(Layouts.GGML_TENSOR_HEAD.byteSize());
            long neOff = Layouts.offset(Layouts.GGML_TENSOR_HEAD, "ne");
            long rowLen = head.get(JAVA_LONG, neOff);
            long rows = head.get(JAVA_LONG, neOff + 8);
            if (head.get(ValueLayout.JAVA_INT, 0) != 0 || !Llama.isContiguous(tensor) || rowLen != embd) { // F32, contiguous, [embd, rows]
                failure = new IllegalStateException(name + " is not a contiguous F32 tensor of rows of " + embd);
                return true;
            }
            int start = batchStart;
            for (Patch p : here) {
                // every layer holds the batch's rows but the last, which holds the output (the last position) only
                long r = rows >= n - start ? p.position() - start : p.position() == n - 1 ? 0 : -1;
                if (r < 0) {
                    continue;
                }
                MemorySegment.copy(p.residual(), 0, row, ValueLayout.JAVA_FLOAT, 0, embd);
                Llama.tensorSet(tensor, row, 4L * embd * r, 4L * embd);
                written++;
            }
            return true;
        } catch (Throwable t) {
            failure = t;
            return true;
        }
    }
}
