package io.gptlens.llamacpp;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;
import io.gptlens.core.plugin.Params;
import io.gptlens.core.sampling.BaseSamplerProvider;
import io.gptlens.core.sampling.Picker;
import io.gptlens.core.sampling.Sampler;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.sampling.SamplerStage;
import io.gptlens.core.sampling.SplitMix64;
import io.gptlens.llamacpp.internal.Llama;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.function.Function;

/**
 * llama.cpp's own samplers ({@code llama_sampler_init_*}) as GPTLens sampler stages, named
 * {@code llama.<name>}, so a chain can mix Java and native stages and the two implementations can
 * be compared on the same logits. Each stage owns one {@code llama_sampler *}: {@code close()}
 * frees it (once), {@code copy()} clones it with {@code llama_sampler_clone}.
 */
public final class NativeSamplers {

    private NativeSamplers() {
    }

    /** One native sampler handle with single ownership. */
    private static final class Handle {
        private final String name;
        private MemorySegment ptr;

        Handle(String name, MemorySegment ptr) {
            if (ptr.equals(MemorySegment.NULL)) {
                throw new IllegalArgumentException("llama.cpp refused to create sampler " + name);
            }
            this.name = name;
            this.ptr = ptr;
        }

        MemorySegment get() {
            if (ptr == null) {
                throw new IllegalStateException("Native sampler " + name + " is closed");
            }
            return ptr;
        }

        Handle copy() {
            return new Handle(name, Llama.samplerClone(get()));
        }

        void close() {
            if (ptr != null) {
                Llama.samplerFree(ptr);
                ptr = null;
            }
        }
    }

    /** Runs the native sampler over {@code c}; returns the selected index or -1. */
    private static int run(Handle h, Candidates c) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment arr = TokenDataArrays.of(a, c);
            Llama.samplerApply(h.get(), arr);
            return TokenDataArrays.readBack(arr, c, "Native sampler " + h.name);
        }
    }

    /** The native handle of a stage made by one of these providers, or null for any other stage. */
    static MemorySegment handleOf(SamplerStage stage) {
        return stage instanceof NativeStage n ? n.h.get() : null;
    }

    /** What native reshaping and picking stages share: the handle and the optional hooks. */
    private abstract static class NativeStage {
        final Handle h;

        NativeStage(Handle h) {
            this.h = h;
        }

        public String name() {
            return h.name;
        }

        public void accept(int token) {
            Llama.samplerAccept(h.get(), token);
        }

        public void reset() {
            Llama.samplerReset(h.get());
        }

        public void close() {
            h.close();
        }
    }

    private static final class NativeSampler extends NativeStage implements Sampler {
        NativeSampler(Handle h) {
            super(h);
        }

        @Override
        public void apply(Candidates c) {
            run(h, c);
        }

        @Override
        public Sampler copy() {
            return new NativeSampler(h.copy());
        }
    }

    private static final class NativePicker extends NativeStage implements Picker {
        NativePicker(Handle h) {
            super(h);
        }

        @Override
        public int pick(Candidates c) {
            int idx = run(h, c);
            if (idx < 0) {
                throw new IllegalStateException("Native sampler " + h.name + " selected no token");
            }
            return c.id(idx);
        }

        @Override
        public Picker copy() {
            return new NativePicker(h.copy());
        }
    }

    /** Base of the native providers. */
    abstract static class NativeProvider extends BaseSamplerProvider {
        NativeProvider(String name, Kind kind, String description, List<ParamSpec> params, Function<Params, MemorySegment> init) {
            super(name, kind, description, params, p -> {
                LlamaLibrary.load();
                Handle h = new Handle(name, init.apply(p));
                return kind == Kind.PICK ? new NativePicker(h) : new NativeSampler(h);
            });
        }
    }

    private static MemorySegment call(MethodHandle h, Object... args) {
        try {
            return (MemorySegment) h.invokeWithArguments(args);
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }

    private static int seed32(Params p) {
        return (int) SplitMix64.resolveSeed(p.getLong("seed"));
    }

    private static ParamSpec seedSpec() {
        return ParamSpec.ofInt("seed", -1, 0xFFFFFFFEL, -1, "Random seed (32-bit); -1 picks one at random.");
    }

    private static ParamSpec minKeep() {
        return ParamSpec.ofInt("min_keep", 1, Integer.MAX_VALUE, 1, "Keep at least this many tokens.");
    }

    /** {@code llama.greedy}. */
    public static final class Greedy extends NativeProvider {
        public Greedy() {
            super("llama.greedy", SamplerProvider.Kind.PICK, "llama.cpp's greedy sampler: the argmax.", List.of(),
                    p -> call(Llama.SAMPLER_INIT_GREEDY));
        }
    }

    /** {@code llama.dist}. */
    public static final class Dist extends NativeProvider {
        public Dist() {
            super("llama.dist", SamplerProvider.Kind.PICK, "llama.cpp's dist sampler: draws from the softmax with its own RNG.",
                    List.of(seedSpec()), p -> call(Llama.SAMPLER_INIT_DIST, seed32(p)));
        }
    }

    /** {@code llama.top-k}. */
    public static final class TopK extends NativeProvider {
        public TopK() {
            super("llama.top-k", SamplerProvider.Kind.RESHAPE, "llama.cpp's top-k; k <= 0 is a no-op.",
                    List.of(ParamSpec.ofInt("k", 0, Integer.MAX_VALUE, 40, "Tokens to keep; 0 = all.")),
                    p -> call(Llama.SAMPLER_INIT_TOP_K, p.getInt("k")));
        }
    }

    /** {@code llama.top-p}. */
    public static final class TopP extends NativeProvider {
        public TopP() {
            super("llama.top-p", SamplerProvider.Kind.RESHAPE, "llama.cpp's top-p (nucleus); p = 1 is a no-op.",
                    List.of(ParamSpec.ofFloat("p", 0, 1, 0.95, "Cumulative probability to keep."), minKeep()),
                    p -> call(Llama.SAMPLER_INIT_TOP_P, (float) p.getDouble("p"), (long) p.getInt("min_keep")));
        }
    }

    /** {@code llama.min-p}. */
    public static final class MinP extends NativeProvider {
        public MinP() {
            super("llama.min-p", SamplerProvider.Kind.RESHAPE, "llama.cpp's min-p; p = 0 is a no-op.",
                    List.of(ParamSpec.ofFloat("p", 0, 1, 0.05, "Fraction of the top probability."), minKeep()),
                    p -> call(Llama.SAMPLER_INIT_MIN_P, (float) p.getDouble("p"), (long) p.getInt("min_keep")));
        }
    }

    /** {@code llama.typical}. */
    public static final class Typical extends NativeProvider {
        public Typical() {
            super("llama.typical", SamplerProvider.Kind.RESHAPE, "llama.cpp's locally typical sampling; p = 1 is a no-op.",
                    List.of(ParamSpec.ofFloat("p", 0, 1, 1.0, "Probability mass to keep."), minKeep()),
                    p -> call(Llama.SAMPLER_INIT_TYPICAL, (float) p.getDouble("p"), (long) p.getInt("min_keep")));
        }
    }

    /** {@code llama.temperature}. */
    public static final class Temperature extends NativeProvider {
        public Temperature() {
            super("llama.temperature", SamplerProvider.Kind.RESHAPE, "llama.cpp's temperature; t = 1 is a no-op, t <= 0 keeps the argmax.",
                    List.of(ParamSpec.ofFloat("t", 0, 1000, 1.0, "Temperature.")),
                    p -> call(Llama.SAMPLER_INIT_TEMP, (float) p.getDouble("t")));
        }
    }

    /** {@code llama.dynamic-temperature}. */
    public static final class TempExt extends NativeProvider {
        public TempExt() {
            super("llama.dynamic-temperature", SamplerProvider.Kind.RESHAPE, "llama.cpp's temp_ext (entropy-based dynamic temperature).",
                    List.of(ParamSpec.ofFloat("t", 0, 1000, 1.0, "Centre temperature."),
                            ParamSpec.ofFloat("delta", 0, 1000, 0.0, "Half-width; 0 = plain temperature."),
                            ParamSpec.ofFloat("exponent", 0, 100, 1.0, "Entropy exponent.")),
                    p -> call(Llama.SAMPLER_INIT_TEMP_EXT, (float) p.getDouble("t"), (float) p.getDouble("delta"), (float) p.getDouble("exponent")));
        }
    }

    /** {@code llama.xtc}. */
    public static final class Xtc extends NativeProvider {
        public Xtc() {
            super("llama.xtc", SamplerProvider.Kind.RESHAPE, "llama.cpp's XTC (exclude top choices); probability 0 is a no-op.",
                    List.of(ParamSpec.ofFloat("probability", 0, 1, 0.0, "Chance per step."),
                            ParamSpec.ofFloat("threshold", 0, 1, 0.1, "Top-choice threshold."), minKeep(), seedSpec()),
                    p -> call(Llama.SAMPLER_INIT_XTC, (float) p.getDouble("probability"), (float) p.getDouble("threshold"),
                            (long) p.getInt("min_keep"), seed32(p)));
        }
    }

    /** {@code llama.top-n-sigma}. */
    public static final class TopNSigma extends NativeProvider {
        public TopNSigma() {
            super("llama.top-n-sigma", SamplerProvider.Kind.RESHAPE, "llama.cpp's top-n-sigma; n <= 0 is a no-op.",
                    List.of(ParamSpec.ofFloat("n", -1, 100, 1.0, "Standard deviations below the top logit.")),
                    p -> call(Llama.SAMPLER_INIT_TOP_N_SIGMA, (float) p.getDouble("n")));
        }
    }

    /** {@code llama.mirostat-v2}. */
    public static final class MirostatV2 extends NativeProvider {
        public MirostatV2() {
            super("llama.mirostat-v2", SamplerProvider.Kind.PICK, "llama.cpp's mirostat v2.",
                    List.of(ParamSpec.ofFloat("tau", 0, 100, 5.0, "Target surprise in bits."),
                            ParamSpec.ofFloat("eta", 0, 10, 0.1, "Learning rate."), seedSpec()),
                    p -> call(Llama.SAMPLER_INIT_MIROSTAT_V2, seed32(p), (float) p.getDouble("tau"), (float) p.getDouble("eta")));
        }
    }

}
