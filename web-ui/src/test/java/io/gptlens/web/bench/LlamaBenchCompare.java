package io.gptlens.web.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptlens.core.generation.GenerationEvent;
import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.SamplerChains;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.llamacpp.LlamaBackend;
import io.gptlens.llamacpp.LlamaLibrary;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * GPTLens against llama.cpp's own {@code llama-bench}, interleaved (A B A B ...) so that the
 * machine's noise hits both: the same model file, the same number of threads and the same
 * llama.cpp libraries (llama-bench is run with GPTLens's libraries on its library path), the same
 * session settings (flash attention off, threadpool polling off: GPTLens's defaults).
 *
 * <ul>
 *   <li>{@code tg}: llama-bench decodes {@code tg} tokens one at a time; GPTLens generates them with
 *   the {@link Generator} (full-vocabulary probabilities, top-5 and the picked token's probability
 *   every token, sampled by {@code temperature 1 → dist}) through the Java API, and through a
 *   streamed {@code /v1/completions} with {@code logprobs: 5} from a server started as its own
 *   process. GPTLens's rate counts the tokens after the first: {@code (n - 1) / time from the first
 *   to the last token}, so it includes n samplings for n - 1 decodes.</li>
 *   <li>{@code pp}: a {@code pp}-token prompt evaluated in batches of 512.</li>
 * </ul>
 *
 * <pre>
 * ./mvnw -q install -DskipTests
 * ./mvnw -q -pl web-ui exec:exec@vs-llama -Dmodels=A.gguf,B.gguf [-Drounds=4 -Dthreads=2 -Dtg=64 -Dpp=512 -Dllama.bench=PATH]
 * </pre>
 *
 * llama-bench comes from {@code runtime-native/src/build/build-llama.sh} (the same llama.cpp source
 * as the bundled libraries), run by the command if {@code -Dllama.bench} is not given.
 */
public final class LlamaBenchCompare {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private LlamaBenchCompare() {
    }

    record Round(double benchTg, double decodeTg, double javaTg, double httpTg, double benchPp, double javaPp) {
    }

    public static void main(String[] args) throws Exception {
        List<Path> models = Arrays.stream(System.getProperty("models", "").split(",")).filter(s -> !s.isBlank())
                .map(s -> Path.of(s).toAbsolutePath().normalize()).toList();
        if (models.isEmpty()) {
            throw new IllegalArgumentException("Name the models: -Dmodels=A.gguf,B.gguf");
        }
        int rounds = Integer.getInteger("rounds", 4);
        int threads = Integer.getInteger("threads", 2);
        int tg = Integer.getInteger("tg", 64);
        int pp = Integer.getInteger("pp", 512);
        Path work = Files.createDirectories(Path.of("target", "vs-llama").toAbsolutePath());
        Path libs = LlamaLibrary.load();
        Path bench = llamaBench(work);
        Path benchDir = benchFolder(work, bench, libs);
        System.out.printf("vs llama-bench: %d rounds, %d threads, tg %d, pp %d; llama.cpp libraries %s; llama-bench %s%n", rounds, threads, tg,
                pp, libs, bench);
        System.out.println("llama.cpp: " + LlamaLibrary.systemInfo().strip());
        Process server = startServer(work, models, threads);
        String base = "http://127.0.0.1:" + serverPort;
        try {
            waitForHealth(base, server);
            for (Path model : models) {
                compare(model, rounds, threads, tg, pp, benchDir, base);
            }
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static void compare(Path model, int rounds, int threads, int tg, int pp, Path benchDir, String base) throws Exception {
        System.setProperty("gptlens.preflight", "false");
        String id = model.getFileName().toString().replaceFirst("\\.gguf$", "");
        var providers = NamedProviders.load(SamplerProvider.class, LlamaBenchCompare.class.getClassLoader());
        List<Round> results = new ArrayList<>();
        try (Model m = new LlamaBackend().load(model, LoadOptions.defaults(), null);
             Session s = m.newSession(SessionOptions.defaults().withContextLength(pp + tg + 16).withThreads(threads));
             SamplerChain chain = SamplerChains.build(providers, SamplerChains.standard(1, 0, 1, 0, 1), 1)) {
            System.out.printf("%n%s: %s, %d layers, d %d, vocabulary %d%n", id, Files.size(model) / (1 << 20) + " MiB",
                    m.info().layers(), m.info().embeddingLength(), m.info().vocabularySize());
            javaTg(m, s, chain, tg); // warm-up: page in the weights, JIT the loop
            httpTg(base, id, tg);
            System.out.println("round  llama-bench tg  decode loop tg  GPTLens tg (Java)  GPTLens tg (HTTP)  llama-bench pp  GPTLens pp (Java)");
            for (int r = 1; r <= rounds; r++) {
                double bTg = llamaBench(benchDir, model, threads, 0, tg);
                double dTg = decodeTg(s, tg);
                double jTg = javaTg(m, s, chain, tg);
                double hTg = httpTg(base, id, tg);
                double bPp = llamaBench(benchDir, model, threads, pp, 0);
                double jPp = javaPp(m, s, pp);
                results.add(new Round(bTg, dTg, jTg, hTg, bPp, jPp));
                System.out.printf(Locale.ROOT, "%5d  %14.2f  %14.2f  %17.2f  %17.2f  %14.1f  %17.1f%n", r, bTg, dTg, jTg, hTg, bPp, jPp);
            }
        }
        System.out.printf(Locale.ROOT, "%s ratios (median of rounds, each GPTLens run against the llama-bench run beside it): "
                        + "decode loop %.3f×, tg Java %.3f×, tg HTTP %.3f×, pp %.3f×%n", id,
                median(results.stream().mapToDouble(x -> x.decodeTg() / x.benchTg()).toArray()),
                median(results.stream().mapToDouble(x -> x.javaTg() / x.benchTg()).toArray()),
                median(results.stream().mapToDouble(x -> x.httpTg() / x.benchTg()).toArray()),
                median(results.stream().mapToDouble(x -> x.javaPp() / x.benchPp()).toArray()));
    }

    private static double javaTg(Model m, Session s, SamplerChain chain, int tg) {
        int[] start = m.tokenizer().encode("", true, false); // the start token, as llama-bench begins
        GenerationEvent.DoneEvent done = new Generator(s, m.tokenizer())
                .generate(GenerationRequest.ofTokens(start.length > 0 ? start : new int[]{1}, tg).withTopN(5), chain, e -> { });
        return done.tokens().length <= 1 ? Double.NaN : (done.tokens().length - 1) * 1e9 / Math.max(1, done.generationNanos());
    }

    /** llama.cpp's work alone, through GPTLens's session: evaluate one token and copy its logits, {@code tg} times. */
    private static double decodeTg(Session s, int tg) {
        float[] logits = new float[s.model().info().vocabularySize()];
        s.removeTokens(0, -1, -1);
        s.evaluate(Batch.of(new int[]{1}, 0, 0));
        long t0 = System.nanoTime();
        for (int i = 1; i < tg; i++) {
            s.logits(-1, logits);
            s.evaluate(Batch.of(new int[]{1 + (i * 7919) % (logits.length - 1)}, i, 0));
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        s.removeTokens(0, -1, -1);
        return (tg - 1) / secs;
    }

    private static double javaPp(Model m, Session s, int pp) {
        Random r = new Random(pp);
        int[] prompt = new int[pp];
        for (int i = 0; i < pp; i++) {
            prompt[i] = r.nextInt(m.info().vocabularySize());
        }
        s.removeTokens(0, -1, -1);
        long t0 = System.nanoTime();
        for (int off = 0; off < pp; off += s.batchSize()) {
            s.evaluate(Batch.of(Arrays.copyOfRange(prompt, off, Math.min(pp, off + s.batchSize())), off, 0));
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        s.removeTokens(0, -1, -1);
        return pp / secs;
    }

    /**
     * A streamed completion of {@code tg} tokens with top-5 log-probabilities; tokens per second
     * after the first, by arrival time. The client is a bare socket that only counts events (one
     * per token, each carrying {@code token_logprobs}), so that it takes as little of the two cores
     * as a client can: parsing every event with a JSON library cost the generation 10 %.
     */
    private static double httpTg(String base, String model, int tg) throws Exception {
        String body = JSON.writeValueAsString(Map.of("model", model, "prompt", "Once", "max_tokens", tg, "temperature", 1,
                "logprobs", 5, "stream", true, "seed", 7));
        URI uri = URI.create(base);
        byte[] marker = "\"token_logprobs\"".getBytes(StandardCharsets.US_ASCII);
        try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
            socket.setTcpNoDelay(true);
            var out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            var in = socket.getInputStream();
            byte[] buf = new byte[65536];
            int matched = 0;
            int tokens = 0;
            long first = 0;
            long last = 0;
            StringBuilder head = new StringBuilder();
            for (int n; (n = in.read(buf)) > 0; ) {
                if (head.length() < 64) {
                    head.append(new String(buf, 0, Math.min(n, 64), StandardCharsets.US_ASCII));
                }
                long now = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    matched = buf[i] == marker[matched] ? matched + 1 : buf[i] == marker[0] ? 1 : 0;
                    if (matched == marker.length) {
                        matched = 0;
                        first = tokens == 0 ? now : first;
                        last = now;
                        tokens++;
                    }
                }
            }
            if (!head.toString().startsWith("HTTP/1.1 200")) {
                throw new IllegalStateException("/v1/completions answered " + head);
            }
            return tokens <= 1 ? Double.NaN : (tokens - 1) * 1e9 / (last - first);
        }
    }

    /** Runs llama-bench once (one repetition after its own warm-up) and returns its tokens per second. */
    private static double llamaBench(Path dir, Path model, int threads, int pp, int tg) throws Exception {
        List<String> cmd = List.of(dir.resolve("llama-bench").toString(), "-m", model.toString(), "-t", String.valueOf(threads),
                "-p", String.valueOf(pp), "-n", String.valueOf(tg), "-r", "1", "-fa", "0", "--poll", "0", "-o", "jsonl");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("LD_LIBRARY_PATH", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("llama-bench failed (" + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + out);
        }
        for (String line : out.lines().toList()) {
            if (line.startsWith("{")) {
                return JSON.readTree(line).path("avg_ts").asDouble();
            }
        }
        throw new IllegalStateException("llama-bench printed no result: " + out);
    }

    /** The llama-bench to run: -Dllama.bench, else one built by build-llama.sh into target/vs-llama/llama.cpp-native. */
    private static Path llamaBench(Path work) throws Exception {
        String given = System.getProperty("llama.bench", "");
        if (!given.isBlank()) {
            return Path.of(given).toAbsolutePath();
        }
        Path dest = Path.of(System.getProperty("llama.native", work.resolve("llama.cpp-native").toString()));
        Path script = Path.of("..", "runtime-native", "src", "build", "build-llama.sh").toAbsolutePath().normalize();
        Process p = new ProcessBuilder(script.toString(), dest.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(script + " failed");
        }
        return dest.resolve("bin").resolve("llama-bench");
    }

    /**
     * A folder holding llama-bench and links to GPTLens's libraries under every name the
     * executable asks for, so that llama-bench runs on exactly the libraries GPTLens loaded (and
     * ggml finds the same CPU backend variants beside the executable).
     */
    private static Path benchFolder(Path work, Path bench, Path libs) throws IOException {
        Path dir = work.resolve("llama-bench-run");
        if (Files.exists(dir)) {
            try (Stream<Path> old = Files.list(dir)) {
                for (Path f : old.toList()) {
                    Files.delete(f);
                }
            }
        }
        Files.createDirectories(dir);
        Files.copy(bench, dir.resolve("llama-bench"));
        dir.resolve("llama-bench").toFile().setExecutable(true);
        // llama-bench's own code and llama.cpp's common library, built with it (not part of GPTLens's libraries)
        Path built = bench.toAbsolutePath().getParent().getParent();
        for (String own : List.of("libllama-bench-impl.so", "libllama-common.so.0")) {
            Path f = built.resolve(own);
            if (!Files.exists(f)) {
                throw new IllegalStateException("llama-bench's " + own + " is not in " + built + " (build it with build-llama.sh)");
            }
            Files.copy(f, dir.resolve(own));
        }
        try (Stream<Path> files = Files.list(libs)) {
            for (Path lib : files.filter(f -> f.getFileName().toString().matches("lib.*\\.so.*")).toList()) {
                String name = lib.getFileName().toString();
                Files.createSymbolicLink(dir.resolve(name), lib);
                String plain = name.startsWith("libllama") ? "libllama" : name.startsWith("libggml-base") ? "libggml-base"
                        : name.matches("libggml(\\.v[0-9.]+)?\\.so") ? "libggml" : null;
                if (plain != null) {
                    for (String alias : List.of(plain + ".so", plain + ".so.0")) {
                        if (!alias.equals(name) && !Files.exists(dir.resolve(alias))) {
                            Files.createSymbolicLink(dir.resolve(alias), lib);
                        }
                    }
                }
            }
        }
        return dir;
    }

    private static int serverPort;

    private static Process startServer(Path work, List<Path> models, int threads) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            serverPort = s.getLocalPort();
        }
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("Build the server first: ./mvnw install -DskipTests (no " + jar + ")");
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "--add-modules", "jdk.incubator.vector", "-Xmx2g", "-Dquarkus.http.port=" + serverPort,
                "-Dgptlens.models=" + String.join(",", models.stream().map(Path::toString).toList()), "-Dgptlens.builtin-model=false",
                "-Dgptlens.builtin-gpt=false", "-Dgptlens.preflight=false", "-Dgptlens.explorer.eager=false",
                "-Dgptlens.data=" + work.resolve("data"), "-Dgptlens.threads=" + threads, "-jar", jar.toString());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("server.log").toFile()).start();
    }

    private static void waitForHealth(String base, Process server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("The server exited with " + server.exitValue() + "; see target/vs-llama/server.log");
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && !JSON.readTree(r.body()).path("data").isEmpty()) {
                    return;
                }
            } catch (IOException ignored) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("The server did not come up in 5 minutes");
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
