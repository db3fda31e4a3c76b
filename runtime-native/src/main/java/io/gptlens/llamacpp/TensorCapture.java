package io.gptlens.llamacpp;

import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Internals;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Captures a prompt's internals through llama.cpp's graph evaluation callback ({@code cb_eval}):
 * the attention probabilities {@code kq_soft_max-N} (shape {@code [n_kv, n_tokens, n_head]},
 * present only with flash attention off) and the residual stream {@code l_out-N} (shape
 * {@code [n_embd, n_tokens]}) of every layer. Only what the {@link Internals.Capture} asks for is
 * copied to Java, head by head, as the graph runs: a 24-layer, 14-head model over 512 tokens keeps
 * one head's 1 MB instead of all 350 MB; every layer's residual norms are always kept.
 *
 * <p>A capture runs in a context of its own (flash attention off, one batch holding the whole
 * prompt, every token an output so the last layer keeps all rows). Not thread-safe; one capture
 * per instance.
 */
final class TensorCapture {

    /** Longest prompt captured at once. */
    static final int MAX_TOKENS = 512;

    private static final MethodHandle CALLBACK;

    static {
        try {
            CALLBACK = MethodHandles.lookup().findVirtual(TensorCapture.class, "onTensor",
                    MethodType.methodType(boolean.class, MemorySegment.class, boolean.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int n;
    private final Internals.Capture capture;
    private final Map<Integer, float[][][]> attention = new ConcurrentHashMap<>();
    private final Map<Integer, float[][]> residual = new ConcurrentHashMap<>();
    private final Map<Integer, float[]> norms = new ConcurrentHashMap<>();
    private final Map<Integer, float[][]> afterAttention = new ConcurrentHashMap<>();
    private volatile float[][] embedding;
    private final Arena scratchArena = Arena.ofShared();
    private MemorySegment scratch = MemorySegment.NULL;
    private volatile Throwable failure;

    private TensorCapture(int n, Internals.Capture capture) {
        this.n = n;
        this.capture = capture;
    }

    static Internals run(LlamaModel model, int[] tokens, Internals.Capture capture) {
        if (tokens.length == 0 || tokens.length > MAX_TOKENS) {
            throw new IllegalArgumentException("Internals are captured for 1 to " + MAX_TOKENS + " tokens, got " + tokens.length);
        }
        model.tokenizer().checkTokens(tokens);
        TensorCapture c = new TensorCapture(tokens.length, capture);
        SessionOptions o = new SessionOptions(Math.max(16, tokens.length), tokens.length, 1, 0, false, false);
        try (c.scratchArena; LlamaSession s = new LlamaSession(model, o, arena -> Llama.linker().upcallStub(CALLBACK.bindTo(c),
                FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_BOOLEAN, ADDRESS), arena))) {
            s.evaluate(c.batch(tokens));
        }
        if (c.failure != null) {
            throw new IllegalStateException("Capturing internals failed: " + c.failure, c.failure);
        }
        int layers = model.info().layers();
        List<float[][][]> attention = new ArrayList<>();
        List<float[][]> residual = new ArrayList<>();
        List<float[]> norms = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            attention.add(c.attention.get(l));
            if (c.residual.containsKey(l)) {
                residual.add(c.residual.get(l));
                norms.add(c.norms.get(l));
            }
        }
        if (c.attention.isEmpty()) {
            attention.clear(); // no attention tensor seen at all (e.g. an architecture that names it otherwise)
        }
        if (!capture.components()) {
            return new Internals(tokens, attention, residual, norms);
        }
        List<float[][]> mid = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            float[][] rows = c.afterAttention.get(l);
            if (rows == null || c.embedding == null) {
                throw new UnsupportedOperationException("Model '" + model.info().architecture() + "' does not name the residual stream inside its blocks "
                        + "as llama.cpp's llama graph does (embd, ffn_inp-N): no attribution by component");
            }
            mid.add(rows);
        }
        return new Internals(tokens, attention, residual, norms, c.embedding, mid);
    }

    /**
     * The prompt as one batch whose outputs are the positions whose residual is kept, and the last:
     * llama.cpp computes logits only for outputs, and drops the other rows before its last block's
     * feed-forward, so 512 tokens do not cost 512 rows of logits over a 152k vocabulary.
     */
    private Batch batch(int[] tokens) {
        int n = tokens.length;
        int[] pos = new int[n];
        int[] seq = new int[n];
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            pos[i] = i;
            out[i] = i == n - 1 || (i >= capture.residualFrom() && i < capture.residualTo());
        }
        outputs = java.util.stream.IntStream.range(0, n).filter(i -> out[i]).toArray();
        return new Batch(tokens, pos, seq, out);
    }

    /** The positions marked as outputs, ascending: the rows of the last layer's residual. */
    private int[] outputs = new int[0];

    /** A native buffer of at least {@code bytes}, reused from tensor to tensor. */
    private MemorySegment scratch(long bytes) {
        if (scratch.byteSize() < bytes) {
            scratch = scratchArena.allocate(bytes, 64);
        }
        return scratch;
    }

    /** The layer a graph tensor's name ends in ({@code l_out-3}: 3), or -1. */
    static int layerOf(String name) {
        try {
            return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The {@code cb_eval} upcall. Never throws: an exception escaping an upcall ends the JVM. */
    private boolean onTensor(MemorySegment tensor, boolean ask, MemorySegment userData) {
        try {
            String name = Llama.tensorName(tensor);
            boolean att = name != null && name.startsWith("kq_soft_max-");
            boolean res = name != null && name.startsWith("l_out-");
            boolean mid = capture.components() && name != null && name.startsWith("ffn_inp-");
            boolean emb = capture.components() && ("embd".equals(name) || "inp_embd".equals(name)); // as v0.5.0 names it, and later versions
            int layer = att || res || mid ? layerOf(name) : -1;
            boolean wanted = emb || layer >= 0 && (res || mid || capture.layer(layer));
            if (ask || !wanted) {
                return wanted;
            }
            MemorySegment head = tensor.reinterpret(Layouts.GGML_TENSOR_HEAD.byteSize());
            if (head.get(ValueLayout.JAVA_INT, 0) != 0 || !Llama.isContiguous(tensor)) { // GGML_TYPE_F32, contiguous
                return true;
            }
            long neOff = Layouts.offset(Layouts.GGML_TENSOR_HEAD, "ne");
            long[] ne = new long[4];
            for (int i = 0; i < 4; i++) {
                ne[i] = head.get(JAVA_LONG, neOff + 8L * i);
            }
            if (att) {
                copyAttention(tensor, layer, (int) ne[0], (int) ne[1], (int) ne[2]);
            } else if (res) {
                copyResidual(tensor, layer, (int) ne[0], (int) ne[1]);
            } else if (mid) {
                afterAttention.put(layer, rows(tensor, (int) ne[0], (int) ne[1], null));
            } else {
                embedding = rows(tensor, (int) ne[0], (int) ne[1], null);
            }
            return true;
        } catch (Throwable t) {
            failure = t;
            return true;
        }
    }

    /** Keeps the selected heads' rows {@code [queryFrom, queryTo)}, keys {@code [0, n)}; one read per head. */
    private void copyAttention(MemorySegment tensor, int layer, int nkv, int nq, int heads) {
        float[][][] out = new float[heads][][];
        int q0 = Math.min(capture.queryFrom(), Math.min(n, nq));
        int q1 = Math.min(capture.queryTo(), Math.min(n, nq));
        int keys = Math.min(n, nkv);
        long headBytes = 4L * nkv * nq;
        MemorySegment buf = scratch(headBytes);
        for (int h = 0; h < heads; h++) {
            if (!capture.head(h)) {
                continue;
            }
            Llama.tensorGet(tensor, buf, headBytes * h, headBytes);
            float[][] rows = new float[n][];
            for (int q = q0; q < q1; q++) {
                rows[q] = new float[n];
                MemorySegment.copy(buf, ValueLayout.JAVA_FLOAT, 4L * nkv * q, rows[q], 0, keys);
            }
            out[h] = rows;
        }
        attention.put(layer, out);
    }

    /** Every token's residual norm, and the vectors of positions {@code [residualFrom, residualTo)}. */
    private void copyResidual(MemorySegment tensor, int layer, int embd, int nt) {
        float[] norm = new float[n];
        java.util.Arrays.fill(norm, Float.NaN);
        residual.put(layer, rows(tensor, embd, nt, norm));
        norms.put(layer, norm);
    }

    /**
     * The rows of positions {@code [residualFrom, residualTo)} of a {@code [embd, nt]} tensor (null
     * elsewhere), and every row's norm into {@code norm} when it is not null. A tensor holds all n
     * rows, or, in the last layer, the output rows only (in position order).
     */
    private float[][] rows(MemorySegment tensor, int embd, int nt, float[] norm) {
        long bytes = 4L * embd * nt;
        MemorySegment buf = scratch(bytes);
        Llama.tensorGet(tensor, buf, 0, bytes);
        boolean all = nt >= n;
        float[][] rows = new float[n][];
        float[] row = new float[embd];
        for (int r = 0; r < Math.min(nt, all ? n : outputs.length); r++) {
            int t = all ? r : outputs[r];
            MemorySegment.copy(buf, ValueLayout.JAVA_FLOAT, 4L * embd * r, row, 0, embd);
            if (norm != null) {
                norm[t] = (float) Math.sqrt(io.gptlens.core.simd.Simd.dot(row, row));
            }
            if (t >= capture.residualFrom() && t < capture.residualTo()) {
                rows[t] = row.clone();
            }
        }
        return rows;
    }
}
