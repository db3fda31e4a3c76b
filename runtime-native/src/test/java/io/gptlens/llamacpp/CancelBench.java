package io.gptlens.llamacpp;

import io.gptlens.core.generation.GenerationEvent;
import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.generation.StopReason;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.sampling.GreedyPicker;
import io.gptlens.core.sampling.SamplerChain;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * How long a cancel takes to end a generation: a generation runs on one thread, another calls
 * {@link Generator#cancel()} at a random moment (during the prompt's evaluation or between
 * tokens), and the time until {@code generate} returns is measured. Prints p50, p99 and max per
 * model. Run with
 * {@code ./mvnw -q -pl runtime-native exec:exec@cancel -Dmodels=PATH[,PATH]} (stories260K by default).
 */
public final class CancelBench {

    private CancelBench() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("gptlens.preflight", "false");
        List<Path> models = TestFiles.benchModels();
        int trials = Integer.getInteger("trials", 40);
        for (Path file : models) {
            try (Model m = new LlamaBackend().load(file, LoadOptions.defaults(), null);
                 Session s = m.newSession(SessionOptions.defaults().withContextLength(1024).withThreads(2));
                 SamplerChain chain = new SamplerChain(List.of(), new GreedyPicker())) {
                String longPrompt = "Once upon a time there was a little dog who liked to run in the park. ".repeat(8);
                long[] micros = new long[trials];
                Random r = new Random(1);
                int cancelled = 0;
                for (int t = 0; t < trials; t++) {
                    Generator g = new Generator(s, m.tokenizer());
                    long[] at = new long[1];
                    CompletableFuture<GenerationEvent.DoneEvent> run = CompletableFuture.supplyAsync(() ->
                            g.generate(GenerationRequest.of(longPrompt, 400), chain, e -> {
                            }));
                    Thread.sleep(r.nextInt(t % 2 == 0 ? 20 : 300)); // even trials: mostly during the prompt; odd: between tokens
                    at[0] = System.nanoTime();
                    g.cancel();
                    GenerationEvent.DoneEvent done = run.get(60, TimeUnit.SECONDS);
                    micros[t] = (System.nanoTime() - at[0]) / 1000;
                    cancelled += done.reason() == StopReason.CANCELLED ? 1 : 0;
                }
                Arrays.sort(micros);
                System.out.printf("cancel latency, %s (%d trials, %d cancelled): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", file.getFileName(),
                        trials, cancelled, micros[trials / 2] / 1000.0, micros[Math.min(trials - 1, (int) (trials * 0.99))] / 1000.0,
                        micros[trials - 1] / 1000.0);
            }
        }
    }
}
