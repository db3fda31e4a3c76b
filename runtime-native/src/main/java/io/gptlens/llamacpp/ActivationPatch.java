package io.gptlens.llamacpp;

import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Patch;
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
 * the next block reads it. The prompt runs in a context of its own, one batch, the last token the
 * only output; so the last layer's {@code l_out} holds that row alone. Not thread-safe; one run per instance.
 */
final class ActivationPatch {

    private static final MethodHandle CALLBACK;

    static {
        try {
            CALLBACK = MethodHandles.lookup().findVirtual(ActivationPatch.class, "onTensor",
                    MethodType.methodType(boolean.class, MemorySegment.class, boolean.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int n;
    private final int embd;
    private final Map<Integer, List<Patch>> byLayer = new HashMap<>();
    private final Arena arena = Arena.ofShared();
    private volatile Throwable failure;
    private volatile int written;

    private ActivationPatch(int n, int embd, List<Patch> patches) {
        this.n = n;
        this.embd = embd;
        for (Patch p : patches) {
            byLayer.computeIfAbsent(p.layer(), l -> new java.util.ArrayList<>()).add(p);
        }
    }

    static float[] run(LlamaModel model, int[] tokens, List<Patch> patches) {
        if (tokens.length == 0 || tokens.length > TensorCapture.MAX_TOKENS) {
            throw new IllegalArgumentException("Patching runs 1 to " + TensorCapture.MAX_TOKENS + " tokens, got " + tokens.length);
        }
        model.tokenizer().checkTokens(tokens);
        int layers = model.info().layers();
        int d = model.info().embeddingLength();
        int expected = 0;
        for (Patch p : patches) {
            if (p.layer() >= layers || p.position() >= tokens.length || p.residual().length != d) {
                throw new IllegalArgumentException("A patch must name a layer below " + layers + ", a position below " + tokens.length
                        + " and hold " + d + " values; got layer " + p.layer() + ", position " + p.position() + ", " + p.residual().length + " values");
            }
            expected += p.layer() < layers - 1 || p.position() == tokens.length - 1 ? 1 : 0;
        }
        ActivationPatch c = new ActivationPatch(tokens.length, d, patches);
        SessionOptions o = new SessionOptions(Math.max(16, tokens.length), tokens.length, 1, 0, false, false);
        float[] logits;
        try (c.arena; LlamaSession s = new LlamaSession(model, o, a -> Llama.linker().upcallStub(CALLBACK.bindTo(c),
                FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_BOOLEAN, ADDRESS), a))) {
            s.evaluate(Batch.of(tokens, 0, 0));
            logits = s.logits(-1);
        }
        if (c.failure != null) {
            throw new IllegalStateException("Patching activations failed: " + c.failure, c.failure);
        }
        if (c.written != expected) { // e.g. an architecture that names its layer outputs otherwise
            throw new UnsupportedOperationException("Model '" + model.info().architecture() + "' showed " + c.written + " of " + expected
                    + " patched rows to llama.cpp's graph callback (l_out-N): it cannot be patched");
        }
        return logits;
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
            MemorySegment row = arena.allocate(4L * embd, 4);
            for (Patch p : here) {
                // every layer holds all n rows but the last, which holds the output (the last position) only
                long r = rows >= n ? p.position() : p.position() == n - 1 ? 0 : -1;
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
