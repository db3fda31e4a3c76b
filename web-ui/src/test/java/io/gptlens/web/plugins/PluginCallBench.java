package io.gptlens.web.plugins;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.sampling.DistPicker;
import io.gptlens.core.sampling.Sampler;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.sampling.SamplerStage;
import io.gptlens.core.sampling.TopKSampler;
import io.gptlens.llamacpp.NativeChain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.gptlens.core.bench.Timing.medianMillis;

/**
 * What keeping a plugin's faults inside costs: a chain with the top-a plugin called directly
 * against the same chain with the plugin behind {@link GuardedSamplerProvider} (a budgeted call on
 * another thread and a checked copy of the candidates), placed after top-k 40 or first (on the
 * whole vocabulary), and run by Java or by llama.cpp (upcalls). Run with
 * {@code ./mvnw -q -pl web-ui exec:exec@bench-plugins} after an install.
 */
public final class PluginCallBench {

    private PluginCallBench() {
    }

    private static SamplerChain chain(SamplerProvider plugin, boolean first) {
        List<SamplerStage> stages = new ArrayList<>();
        Sampler topA = (Sampler) plugin.create(Map.of("a", 0.2));
        if (first) {
            stages.add(topA);
        }
        stages.add(new TopKSampler(40));
        if (!first) {
            stages.add(topA);
        }
        stages.add(new DistPicker(1));
        return SamplerChain.of(stages);
    }

    /** The server's defaults ({@code gptlens.plugins.budget-ms}, {@code load-budget-ms}). */
    static final PluginCalls.Budgets BUDGETS = new PluginCalls.Budgets(1000, 10_000);

    public static void main(String[] args) {
        SamplerProvider topA = NamedProviders.load(SamplerProvider.class, PluginCallBench.class.getClassLoader()).get("top-a");
        SamplerProvider guarded = new GuardedSamplerProvider(topA, "sampler-top-a.jar", (name, message) -> { }, BUDGETS);
        System.out.printf("GPTLens plugin call benchmark; %d CPUs; Java %s; budget %d ms per call%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), BUDGETS.callMs());
        for (int vocab : new int[]{512, 152_064}) {
            Random r = new Random(1);
            float[] logits = new float[vocab];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (r.nextGaussian() * 3);
            }
            for (boolean first : new boolean[]{false, true}) {
                for (SamplerProvider p : List.of(topA, guarded)) {
                    String what = String.format("vocab %6d, top-a %s, %s", vocab, first ? "first" : "after top-k 40",
                            p == guarded ? "guarded" : "direct");
                    try (SamplerChain c = chain(p, first)) {
                        double java = medianMillis(50, 201, () -> {
                            int t = c.sample(Candidates.fromLogits(logits));
                            c.accept(t);
                            return t;
                        });
                        try (SamplerChain forC = chain(p, first); NativeChain n = NativeChain.of(forC)) {
                            double inC = medianMillis(50, 201, () -> {
                                int t = n.sample(Candidates.fromLogits(logits));
                                n.accept(t);
                                return t;
                            });
                            System.out.printf("%-52s Java run %7.3f ms   llama.cpp run %7.3f ms%n", what + ":", java, inC);
                        }
                    }
                }
            }
        }
        System.exit(0); // the guard's worker threads are daemons, but say so plainly
    }
}
