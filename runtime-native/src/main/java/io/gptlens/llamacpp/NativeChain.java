package io.gptlens.llamacpp;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.sampling.ChainRunner;
import io.gptlens.core.sampling.Picker;
import io.gptlens.core.sampling.Sampler;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.SamplerException;
import io.gptlens.core.sampling.SamplerStage;
import io.gptlens.llamacpp.internal.Layouts;
import io.gptlens.llamacpp.internal.Llama;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A {@link SamplerChain} run by llama.cpp as one {@code llama_sampler_chain}: llama.cpp's own
 * stages ({@code llama.*}) go in as clones of their native samplers, and every Java stage
 * (built-in or from a plugin) goes in as a native {@code llama_sampler} whose hooks
 * ({@code apply}, {@code accept}, {@code reset}, {@code clone}, {@code free}, {@code name}) are FFM
 * upcalls into Java. The chain can then be run over candidates ({@link #sample(Candidates)}, via
 * {@code llama_sampler_apply}) or straight from the context's logits
 * ({@link #sampleFromContext(int)}, via {@code llama_sampler_sample}).
 *
 * <p><b>Faults:</b> an exception escaping an upcall would end the JVM, so every upcall catches
 * everything. The first fault of a call is recorded, later Java stages of that call step aside,
 * the candidates handed back to C stay valid (a failed picking stage selects entry 0 so that
 * llama.cpp's own checks hold), and the call then throws a {@link SamplerException} naming the
 * stage; the chain remains usable.
 *
 * <p><b>Ownership:</b> the runner owns the native chain and the clones in it and frees them in
 * {@link #close()}; the Java stages stay owned by the {@link SamplerChain}, which must stay open
 * while the runner is used. Native stages advance their clones' state here, not the originals'.
 * <b>Thread-safety:</b> none; one generation uses one runner, on one thread.
 */
public final class NativeChain implements ChainRunner {

    /** Java stages wrapped as native samplers, by the id stored in their {@code llama_sampler.ctx}. */
    private static final Map<Long, Wrapped> WRAPPED = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static final MemorySegment UNKNOWN = Arena.global().allocateFrom("(unknown java sampler)");
    /** One {@code llama_sampler_i} for every wrapped Java stage; its function pointers are upcall stubs. */
    private static final MemorySegment IFACE = createInterface();
    private static final long CTX = Layouts.offset(Layouts.SAMPLER, "ctx");

    private final LlamaSession session;
    private final Fault fault = new Fault();
    private final String description;
    private final String pickerName;
    private MemorySegment chain;

    /**
     * Builds the native chain for {@code stages}.
     *
     * @param session the session whose logits {@link #sampleFromContext} reads; may be null
     */
    NativeChain(SamplerChain stages, LlamaSession session) {
        this.session = session;
        LlamaLibrary.load();
        List<SamplerStage> all = new ArrayList<>(stages.samplers());
        all.add(stages.picker());
        List<String> where = new ArrayList<>();
        MemorySegment c = Llama.samplerChainInit();
        try {
            for (SamplerStage s : all) {
                MemorySegment h = NativeSamplers.handleOf(s);
                Llama.samplerChainAdd(c, h != null ? Llama.samplerClone(h) : wrap(s, false, fault));
                where.add(s.name() + (h != null ? " [C]" : " [Java]"));
            }
        } catch (RuntimeException e) {
            Llama.samplerFree(c);
            throw e;
        }
        this.chain = c;
        this.description = String.join(" -> ", where) + " (run by llama.cpp)";
        this.pickerName = stages.picker().name();
    }

    /** A runner for {@code stages} without a session: only {@link #sample(Candidates)} works. */
    public static NativeChain of(SamplerChain stages) {
        return new NativeChain(stages, null);
    }

    /** Runs the chain with {@code llama_sampler_apply}; afterwards {@code candidates} hold what was picked from, with probabilities. */
    @Override
    public int sample(Candidates candidates) {
        MemorySegment c = handle();
        fault.clear();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment arr = TokenDataArrays.of(a, candidates);
            Llama.samplerApply(c, arr);
            fault.rethrow();
            int idx = TokenDataArrays.readBack(arr, candidates, "The native chain");
            if (idx < 0) {
                throw new SamplerException(pickerName, "selected no token");
            }
            int token = candidates.id(idx);
            try {
                candidates.softmax(); // what dist draws from; C stages leave stale p values behind
            } catch (IllegalStateException e) {
                // every logit -infinity: leave the probabilities marked invalid
            }
            return token;
        }
    }

    /**
     * Samples from output {@code i} (-1: the last) of the session's last evaluation with
     * {@code llama_sampler_sample}, which reads the logits inside llama.cpp and also accepts the
     * token into every stage.
     *
     * @throws IllegalStateException if this runner has no session
     */
    public int sampleFromContext(int i) {
        MemorySegment c = handle();
        if (session == null) {
            throw new IllegalStateException("This native chain was made without a session");
        }
        fault.clear();
        int token = session.sampleNatively(c, i);
        fault.rethrow();
        return token;
    }

    @Override
    public void accept(int token) {
        MemorySegment c = handle();
        fault.clear();
        Llama.samplerAccept(c, token);
        fault.rethrow();
    }

    /** Resets every stage (the clones of C stages and the Java stages). */
    public void reset() {
        MemorySegment c = handle();
        fault.clear();
        Llama.samplerReset(c);
        fault.rethrow();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        if (chain != null) {
            Llama.samplerFree(chain);
            chain = null;
        }
    }

    private MemorySegment handle() {
        if (chain == null) {
            throw new IllegalStateException("Native sampler chain is closed");
        }
        return chain;
    }

    /** Number of Java stages currently wrapped as native samplers, across all chains (for tests). */
    static int wrappedCount() {
        return WRAPPED.size();
    }

    // ---- the wrapped Java stages

    /** The first fault of a call into the chain, shared by its wrapped stages. */
    private static final class Fault {
        private SamplerException first;

        void record(String stage, Throwable t) {
            if (first == null) {
                first = t instanceof SamplerException se ? se : new SamplerException(stage, "failed: " + t, t);
            }
        }

        boolean happened() {
            return first != null;
        }

        void clear() {
            first = null;
        }

        void rethrow() {
            SamplerException e = first;
            if (e != null) {
                first = null;
                throw e;
            }
        }
    }

    /** A Java stage behind a native {@code llama_sampler}. */
    private static final class Wrapped {
        final SamplerStage stage;
        final boolean owned;
        final Fault fault;
        final Arena arena = Arena.ofShared();
        final MemorySegment name;

        Wrapped(SamplerStage stage, boolean owned, Fault fault) {
            this.stage = stage;
            this.owned = owned;
            this.fault = fault;
            this.name = arena.allocateFrom(stage.name());
        }

        void apply(MemorySegment arr) {
            boolean picks = stage instanceof Picker;
            if (fault.happened()) {
                if (picks) {
                    keepSomethingSelected(arr);
                }
                return;
            }
            try {
                Candidates c = TokenDataArrays.read(arr);
                switch (stage) {
                    case Sampler s -> {
                        s.apply(c);
                        check(c);
                        TokenDataArrays.write(arr, c, -1);
                    }
                    case Picker p -> {
                        int token = p.pick(c);
                        int idx = c.indexOf(token);
                        if (idx < 0) {
                            throw new SamplerException(stage.name(), "picked token " + token + ", which is not among the candidates");
                        }
                        TokenDataArrays.write(arr, c, idx);
                    }
                }
            } catch (Throwable t) {
                fault.record(stage.name(), t);
                if (picks) {
                    keepSomethingSelected(arr);
                }
            }
        }

        private void check(Candidates c) {
            for (int i = 0; i < c.size(); i++) {
                if (Float.isNaN(c.logit(i))) {
                    throw new SamplerException(stage.name(), "produced a NaN logit for token " + c.id(i));
                }
            }
        }

        /** llama_sampler_sample asserts 0 <= selected < size; a failed picker must not abort the process. */
        private static void keepSomethingSelected(MemorySegment arr) {
            long n = TokenDataArrays.size(arr);
            long sel = TokenDataArrays.selected(arr);
            if (n > 0 && (sel < 0 || sel >= n)) {
                TokenDataArrays.select(arr, 0);
            }
        }
    }

    private static MemorySegment wrap(SamplerStage stage, boolean owned, Fault fault) {
        long id = IDS.incrementAndGet();
        Wrapped w = new Wrapped(stage, owned, fault);
        WRAPPED.put(id, w);
        MemorySegment s = Llama.samplerInit(IFACE, MemorySegment.ofAddress(id));
        if (s.equals(MemorySegment.NULL)) {
            WRAPPED.remove(id);
            w.arena.close();
            throw new IllegalStateException("llama_sampler_init failed for " + stage.name());
        }
        return s;
    }

    private static long idOf(MemorySegment smpl) {
        return smpl.reinterpret(Layouts.SAMPLER.byteSize()).get(ADDRESS, CTX).address();
    }

    private static Wrapped wrappedOf(MemorySegment smpl) {
        return WRAPPED.get(idOf(smpl));
    }

    // ---- upcalls: nothing may escape them, or the JVM ends

    private static MemorySegment upName(MemorySegment smpl) {
        try {
            Wrapped w = wrappedOf(smpl);
            return w != null ? w.name : UNKNOWN;
        } catch (Throwable t) {
            return UNKNOWN;
        }
    }

    private static void upApply(MemorySegment smpl, MemorySegment curP) {
        try {
            Wrapped w = wrappedOf(smpl);
            if (w != null) {
                w.apply(TokenDataArrays.view(curP));
            }
        } catch (Throwable t) {
            // Wrapped.apply records its own faults; this is only reached if reading the pointers failed
        }
    }

    private static void upAccept(MemorySegment smpl, int token) {
        Wrapped w = null;
        try {
            w = wrappedOf(smpl);
            if (w != null && !w.fault.happened()) {
                w.stage.accept(token);
            }
        } catch (Throwable t) {
            if (w != null) {
                w.fault.record(w.stage.name(), t);
            }
        }
    }

    private static void upReset(MemorySegment smpl) {
        Wrapped w = null;
        try {
            w = wrappedOf(smpl);
            if (w != null) {
                w.stage.reset();
            }
        } catch (Throwable t) {
            if (w != null) {
                w.fault.record(w.stage.name(), t);
            }
        }
    }

    private static MemorySegment upClone(MemorySegment smpl) {
        Wrapped w = null;
        try {
            w = wrappedOf(smpl);
            if (w == null) {
                return MemorySegment.NULL;
            }
            return wrap(w.stage.copy(), true, new Fault());
        } catch (Throwable t) {
            if (w == null) {
                return MemorySegment.NULL;
            }
            // a NULL clone would crash the cloned chain later; share the stage and report the fault instead
            w.fault.record(w.stage.name(), t);
            try {
                return wrap(w.stage, false, w.fault);
            } catch (Throwable again) {
                return MemorySegment.NULL;
            }
        }
    }

    private static void upFree(MemorySegment smpl) {
        try {
            Wrapped w = WRAPPED.remove(idOf(smpl));
            if (w != null) {
                if (w.owned) {
                    w.stage.close();
                }
                w.arena.close();
            }
        } catch (Throwable t) {
            // freeing must not fail; a stage that throws on close leaks only itself
        }
    }

    private static MemorySegment createInterface() {
        try {
            Linker linker = Llama.linker();
            MethodHandles.Lookup l = MethodHandles.lookup();
            Arena g = Arena.global();
            MemorySegment iface = g.allocate(Layouts.SAMPLER_I); // zeroed: the backend_* hooks stay NULL
            iface.set(ADDRESS, Layouts.offset(Layouts.SAMPLER_I, "name"), linker.upcallStub(
                    l.findStatic(NativeChain.class, "upName", MethodType.methodType(MemorySegment.class, MemorySegment.class)),
                    FunctionDescriptor.of(ADDRESS, ADDRESS), g));
            iface.set(ADDRESS, Layouts.offset(Layouts.SAMPLER_I, "accept"), linker.upcallStub(
                    l.findStatic(NativeChain.class, "upAccept", MethodType.methodType(void.class, MemorySegment.class, int.class)),
                    FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT), g));
            iface.set(ADDRESS, Layouts.offset(Layouts.SAMPLER_I, "apply"), linker.upcallStub(
                    l.findStatic(NativeChain.class, "upApply", MethodType.methodType(void.class, MemorySegment.class, MemorySegment.class)),
                    FunctionDescriptor.ofVoid(ADDRESS, ADDRESS), g));
            iface.set(ADDRESS, Layouts.offset(Layouts.SAMPLER_I, "reset"), linker.upcallStub(
                    l.findStatic(NativeChain.class, "upReset", MethodType.methodType(void.class, MemorySegment.class)),
                    FunctionDescriptor.ofVoid(ADDRESS), g));
            iface.set(ADDRESS, Layouts.offset(Layouts.SAMPLER_I, "clone"), linker.upcallStub(
                    l.findStatic(NativeChain.class, "upClone", MethodType.methodType(MemorySegment.class, MemorySegment.class)),
                    FunctionDescriptor.of(ADDRESS, ADDRESS), g));
            iface.set(ADDRESS, Layouts.offset(Layouts.SAMPLER_I, "free"), linker.upcallStub(
                    l.findStatic(NativeChain.class, "upFree", MethodType.methodType(void.class, MemorySegment.class)),
                    FunctionDescriptor.ofVoid(ADDRESS), g));
            return iface;
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
