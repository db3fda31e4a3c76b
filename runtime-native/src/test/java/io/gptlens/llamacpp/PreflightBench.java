package io.gptlens.llamacpp;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The cost of the preflight: for each model, the child's trial run (load, generate through
 * the chain inside llama.cpp, internals, every piece) against its peer, the same model loaded in this process
 * without a preflight, interleaved (A B A B), and the answer for a file already checked.
 * Run with {@code ./mvnw -q -pl runtime-native exec:exec@preflight -Dmodels=PATH[,PATH]}
 * (stories260K is always measured; write a Qwen2.5-0.5B-shaped model with
 * {@code src/build/write-shaped.py qwen2.5-0.5b}).
 */
public final class PreflightBench {

    private PreflightBench() {
    }

    public static void main(String[] args) throws Exception {
        List<Path> models = TestFiles.benchModels();
        int rounds = Integer.getInteger("rounds", 3);
        System.setProperty("gptlens.preflight", "false"); // the in-process loads are the peer
        for (Path file : models) {
            long[] pre = new long[rounds];
            long[] load = new long[rounds];
            long cachedMicros = 0;
            try (GgufFile g = GgufFile.open(file)) {
                for (int r = 0; r < rounds; r++) {
                    LlamaPreflight.forgetVerdicts();
                    long t0 = System.nanoTime();
                    LlamaPreflight.check(file, g, false, 0);
                    pre[r] = (System.nanoTime() - t0) / 1_000_000;
                    long t1 = System.nanoTime();
                    try (Model m = new LlamaBackend().load(file, LoadOptions.defaults(), null)) {
                        load[r] = (System.nanoTime() - t1) / 1_000_000;
                    }
                }
                long t2 = System.nanoTime();
                LlamaPreflight.check(file, g, false, 0);
                cachedMicros = (System.nanoTime() - t2) / 1000;
            }
            Arrays.sort(pre);
            Arrays.sort(load);
            System.out.printf("preflight %-36s %s: trial run in a child %6d ms (median of %d), load in process %6d ms, a kept verdict %.1f ms%n",
                    file.getFileName(), mib(file), pre[rounds / 2], rounds, load[rounds / 2], cachedMicros / 1000.0);
        }
    }

    private static String mib(Path f) throws java.io.IOException {
        return String.format("(%.0f MiB)", java.nio.file.Files.size(f) / 1048576.0);
    }
}
