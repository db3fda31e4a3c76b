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
 * {@code [n_embd, n_tokens]}) of every layer, copied to Java arrays.
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

    private final Map<String, Captured> tensors = new ConcurrentHashMap<>();
    private volatile Throwable failure;

    private record Captured(long[] ne, float[] data) {
    }

    static Internals run(LlamaModel model, int[] tokens) {
        if (tokens.length == 0 || tokens.length > MAX_TOKENS) {
            throw new IllegalArgumentException("Internals are captured for 1 to " + MAX_TOKENS + " tokens, got " + tokens.length);
        }
        model.tokenizer().checkTokens(tokens);
        TensorCapture c = new TensorCapture();
        SessionOptions o = new SessionOptions(Math.max(16, tokens.length), tokens.length, 1, 0, false, false);
        try (LlamaSession s = new LlamaSession(model, o, arena -> Llama.linker().upcallStub(CALLBACK.bindTo(c),
                FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_BOOLEAN, ADDRESS), arena))) {
            s.evaluate(Batch.allOutputs(tokens, 0, 0));
        }
        if (c.failure != null) {
            throw new IllegalStateException("Capturing internals failed: " + c.failure, c.failure);
        }
        int layers = model.info().layers();
        List<float[][][]> attention = new ArrayList<>();
        List<float[][]> residual = new ArrayList<>();
        int n = tokens.length;
        for (int l = 0; l < layers; l++) {
            Captured a = c.tensors.get("kq_soft_max-" + l);
            if (a != null) {
                int nkv = (int) a.ne[0];
                int nq = (int) a.ne[1];
                int heads = (int) a.ne[2];
                float[][][] att = new float[heads][n][n];
                for (int h = 0; h < heads; h++) {
                    for (int q = 0; q < Math.min(n, nq); q++) {
                        for (int k = 0; k < Math.min(n, nkv); k++) {
                            att[h][q][k] = a.data[k + nkv * (q + nq * h)];
                        }
                    }
                }
                attention.add(att);
            }
            Captured r = c.tensors.get("l_out-" + l);
            if (r != null) {
                int embd = (int) r.ne[0];
                int nt = (int) r.ne[1];
                float[][] res = new float[nt][embd];
                for (int t = 0; t < nt; t++) {
                    System.arraycopy(r.data, t * embd, res[t], 0, embd);
                }
                residual.add(res);
            }
        }
        return new Internals(tokens, attention, residual);
    }

    /** The {@code cb_eval} upcall. Never throws: an exception escaping an upcall ends the JVM. */
    private boolean onTensor(MemorySegment tensor, boolean ask, MemorySegment userData) {
        try {
            String name = Llama.tensorName(tensor);
            boolean wanted = name != null && (name.startsWith("kq_soft_max-") || name.startsWith("l_out-"));
            if (ask || !wanted) {
                return wanted;
            }
            MemorySegment head = tensor.reinterpret(Layouts.GGML_TENSOR_HEAD.byteSize());
            if (head.get(ValueLayout.JAVA_INT, 0) != 0 || !Llama.isContiguous(tensor)) { // GGML_TYPE_F32, contiguous
                return true;
            }
            long neOff = Layouts.offset(Layouts.GGML_TENSOR_HEAD, "ne");
            long[] ne = new long[4];
            long count = 1;
            for (int i = 0; i < 4; i++) {
                ne[i] = head.get(JAVA_LONG, neOff + 8L * i);
                count *= ne[i];
            }
            if (count > (1L << 28)) {
                return true;
            }
            float[] data = new float[(int) count];
            try (Arena a = Arena.ofConfined()) {
                MemorySegment dst = a.allocate(ValueLayout.JAVA_FLOAT, count);
                Llama.tensorGet(tensor, dst, 0, 4 * count);
                MemorySegment.copy(dst, ValueLayout.JAVA_FLOAT, 0, data, 0, data.length);
            }
            tensors.put(name, new Captured(ne, data));
            return true;
        } catch (Throwable t) {
            failure = t;
            return true;
        }
    }
}
