package io.gptlens.web.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak test (a command, not part of verify): starts the built GPTLens server as its own
 * process with stories260K and a writer-made model of Qwen2's 151,665-token vocabulary, then runs
 * 8 concurrent clients for some minutes (streamed and plain completions, tokenize, explorer
 * queries, model load/unload, streams the client stops reading and drops mid-way), and prints
 * requests served, errors that are not the client's fault, p50/p99 latency per kind, and the
 * server's resident memory, native memory (NMT), native handles, threads and file descriptors at
 * the start and the end.
 *
 * <pre>./mvnw install -DskipTests &amp;&amp; ./mvnw -q -pl web-ui exec:exec@soak -Dminutes=10</pre>
 */
public final class SoakBench {

    private static final String ADMIN = "soak-admin";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private SoakBench() {
    }

    public static void main(String[] args) throws Exception {
        double minutes = Double.parseDouble(System.getProperty("minutes", "10"));
        int clients = Integer.getInteger("clients", 8);
        Path work = Files.createDirectories(Path.of(System.getProperty("soak.dir", "target/soak")).toAbsolutePath());
        Path stories = Path.of(System.getProperty("gptlens.shared.dir", "../../shared"), "models", "stories260K.gguf").toAbsolutePath().normalize();
        Path big = work.resolve("qwen2-vocab-random.gguf");
        if (!Files.exists(big)) {
            io.gptlens.llamacpp.TestFiles.randomLlama(Path.of(System.getProperty("gptlens.llama.source"), "models", "ggml-vocab-qwen2.gguf"), big, 64, 128, 4, 2, 3);
        }
        Path spare = work.resolve("spare.gguf");
        Files.copy(stories, spare, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException("Build the server first: ./mvnw install -DskipTests (no " + jar + ")");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "--add-modules", "jdk.incubator.vector", "-XX:NativeMemoryTracking=summary", "-Xmx2g",
                "-Dquarkus.http.port=" + port, "-Dgptlens.models=" + stories + "," + big, "-Dgptlens.builtin-model=false",
                "-Dgptlens.builtin-gpt=false", "-Dgptlens.data=" + work.resolve("data"), "-Dgptlens.admin-token=" + ADMIN,
                "-Dgptlens.threads=1", "-jar", jar.toString());
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("server.log").toFile()).start();
        String base = "http://127.0.0.1:" + port;
        try {
            waitForHealth(base, server);
            System.out.printf("soak: server pid %d on port %d; %d clients for %.1f min; models stories260K and %s%n", server.pid(), port, clients,
                    minutes, big.getFileName());
            warmUp(base);
            ReentrantLock loader = new ReentrantLock();
            // a minute of the same load first, so the start figures hold what steady work needs (heap, mapped indexes, sessions)
            long warm = System.nanoTime() + (long) (Double.parseDouble(System.getProperty("warmup.minutes", "1")) * 60e9);
            runClients(clients, base, warm, new Stats(), loader, spare);
            Thread.sleep(5000);
            Sample start = sample(server.pid(), base);
            System.out.println("soak: start  " + start);
            Stats stats = new Stats();
            long end = System.nanoTime() + (long) (minutes * 60e9);
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                threads.add(Thread.ofPlatform().name("client-" + c).start(() -> client(id, base, end, stats, loader, spare)));
            }
            AtomicLong lastReport = new AtomicLong(System.nanoTime());
            while (threads.stream().anyMatch(Thread::isAlive)) {
                Thread.sleep(1000);
                if (System.nanoTime() - lastReport.get() > 60e9) {
                    lastReport.set(System.nanoTime());
                    System.out.println("soak: " + stats.total() + " requests so far, " + stats.errors.size() + " errors " + stats.errorKinds() + "; "
                            + sample(server.pid(), base));
                }
                if (!server.isAlive()) {
                    throw new IllegalStateException("The server died: see " + work.resolve("server.log"));
                }
            }
            Thread.sleep(5000); // let the last cancelled generations and closes settle
            Sample finish = sample(server.pid(), base);
            System.out.println("soak: end    " + finish);
            stats.print();
            System.out.printf("soak: resident %+.0f MiB, native (NMT committed) %+.0f MiB, threads %+d, file descriptors %+d, native handles %s -> %s%n",
                    (finish.rssKb - start.rssKb) / 1024.0, (finish.nmtKb - start.nmtKb) / 1024.0, finish.threads - start.threads,
                    finish.fds - start.fds, start.handles, finish.handles);
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static void runClients(int clients, String base, long end, Stats stats, ReentrantLock loader, Path spare) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = 100 + c;
            threads.add(Thread.ofPlatform().start(() -> client(id, base, end, stats, loader, spare)));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private static void waitForHealth(String base, Process server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("The server exited with " + server.exitValue());
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException ignored) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("The server did not answer /health within 3 minutes");
    }

    /** One round of every kind, so the start figures are taken after classes are loaded and the explorer's indexes built. */
    private static void warmUp(String base) throws Exception {
        long t0 = System.nanoTime();
        for (String model : List.of("stories260K", "qwen2-vocab-random")) {
            post(base + "/v1/completions", "{\"model\":\"" + model + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":8}", false);
            post(base + "/tokenize", "{\"model\":\"" + model + "\",\"content\":\"Hello world\"}", false);
            post(base + "/api/explorer/" + model + "/index", "{}", true);
        }
        for (String model : List.of("stories260K", "qwen2-vocab-random")) {
            long last = 0;
            while (true) { // the explorer answers 503 while its index is built
                HttpResponse<String> st = get(base + "/api/explorer/" + model + "/index");
                if (st.body().contains("\"ready\"")) {
                    break;
                }
                if (st.body().contains("\"failed\"") || System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(30)) {
                    throw new IllegalStateException("The index of " + model + " was not built: " + st.body());
                }
                if (System.nanoTime() - last > 30e9) {
                    last = System.nanoTime();
                    System.out.println("soak: warming up: " + model + " index " + st.body());
                }
                Thread.sleep(1000);
            }
        }
        System.out.printf("soak: warm (indexes built) after %.0f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private static void client(int id, String base, long end, Stats stats, ReentrantLock loader, Path spare) {
        Random r = new Random(id);
        String[] models = {"stories260K", "qwen2-vocab-random"};
        String[] prompts = {"Once upon a time", "The little dog", "Hello <b>world</b> 世界 🙂", "In the beginning"};
        while (System.nanoTime() < end) {
            String model = models[r.nextInt(2)];
            String prompt = prompts[r.nextInt(prompts.length)];
            int kind = r.nextInt(100);
            long t0 = System.nanoTime();
            String what = "?";
            try {
                if (kind < 25) {
                    what = "completion";
                    check(what, post(base + "/v1/completions", "{\"model\":\"" + model + "\",\"prompt\":\"" + prompt + "\",\"max_tokens\":16,\"seed\":" + r.nextInt(1000) + "}", false), stats);
                } else if (kind < 45) {
                    what = "stream";
                    HttpResponse<InputStream> res = stream(base, model, prompt, 24);
                    String body = new String(res.body().readAllBytes());
                    boolean ok = res.statusCode() == 200 && body.contains("data: [DONE]") && !body.contains("\"error\"");
                    stats.record(what, t0, ok ? 200 : res.statusCode(), ok ? null : body);
                    continue;
                } else if (kind < 55) {
                    what = "stream dropped";
                    HttpResponse<InputStream> res = stream(base, model, prompt, 400);
                    try (InputStream in = res.body()) {
                        in.readNBytes(200 + r.nextInt(400)); // a few events, then the client goes away
                    }
                    stats.record(what, t0, res.statusCode(), res.statusCode() == 200 ? null : "status " + res.statusCode());
                    continue;
                } else if (kind < 70) {
                    what = "tokenize";
                    check(what, post(base + "/tokenize", "{\"model\":\"" + model + "\",\"content\":\"" + prompt + "\",\"with_pieces\":true}", false), stats);
                } else if (kind < 90) {
                    what = "explorer";
                    String q = r.nextBoolean() ? "/neighbors?token=" + r.nextInt(500) + "&k=10" : "/search?q=th";
                    check(what, getTimed(base + "/api/explorer/" + model + q), stats);
                } else if (kind < 95) {
                    what = "props/models";
                    check(what, getTimed(base + (r.nextBoolean() ? "/v1/models" : "/props")), stats);
                } else if (loader.tryLock()) {
                    try {
                        what = "load+unload";
                        check("load", post(base + "/api/models", "{\"path\":\"" + spare + "\"}", true), stats);
                        t0 = System.nanoTime();
                        check("completion", post(base + "/v1/completions", "{\"model\":\"spare\",\"prompt\":\"Once\",\"max_tokens\":4}", false), stats);
                        t0 = System.nanoTime();
                        HttpResponse<String> del = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/models/spare"))
                                .header("Authorization", "Bearer " + ADMIN).DELETE().build(), HttpResponse.BodyHandlers.ofString());
                        stats.record("unload", t0, del.statusCode() == 204 ? 200 : del.statusCode(), del.statusCode() == 204 ? null : del.body());
                    } finally {
                        loader.unlock();
                    }
                    continue;
                } else {
                    continue;
                }
            } catch (Exception e) {
                stats.record(what, t0, -1, e.toString());
                continue;
            }
            // check() recorded it
        }
    }

    private static HttpResponse<InputStream> stream(String base, String model, String prompt, int maxTokens) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens
                        + ",\"stream\":true}")).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    private record Timed(HttpResponse<String> res, long t0) {
    }

    private static Timed post(String url, String json, boolean admin) throws Exception {
        long t0 = System.nanoTime();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (admin) {
            b.header("Authorization", "Bearer " + ADMIN);
        }
        return new Timed(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()), t0);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Timed getTimed(String url) throws Exception {
        long t0 = System.nanoTime();
        return new Timed(get(url), t0);
    }

    private static void check(String what, Timed t, Stats stats) {
        int s = t.res().statusCode();
        stats.record(what, t.t0(), s, s >= 200 && s < 300 ? null : t.res().body());
    }

    /** Server figures at one moment. */
    private record Sample(long rssKb, long nmtKb, int threads, int fds, String handles) {
        @Override
        public String toString() {
            return String.format("resident %.0f MiB, native (NMT committed) %.0f MiB, threads %d, file descriptors %d, native handles %s",
                    rssKb / 1024.0, nmtKb / 1024.0, threads, fds, handles);
        }
    }

    private static Sample sample(long pid, String base) throws Exception {
        jcmd(pid, "GC.run");
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        long rss = field(status, "VmRSS");
        int threads = (int) field(status, "Threads");
        int fds;
        try (var s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = (int) s.count();
        }
        String nmt = jcmd(pid, "VM.native_memory", "summary");
        Matcher m = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB").matcher(nmt);
        long committed = m.find() ? Long.parseLong(m.group(2)) : -1;
        String health = "";
        for (int attempt = 0; attempt < 3 && health.isEmpty(); attempt++) {
            try {
                health = get(base + "/health").body();
            } catch (IOException e) {
                Thread.sleep(200); // a pooled connection the server had closed
            }
        }
        Matcher h = Pattern.compile("\"native\":(\\{[^}]*})").matcher(health);
        return new Sample(rss, committed, threads, fds, h.find() ? h.group(1) : "?");
    }

    private static long field(String status, String name) {
        Matcher m = Pattern.compile(name + ":\\s+(\\d+)").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String jcmd(long pid, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
        cmd.addAll(Arrays.asList(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    /** Latencies and errors per kind of request. */
    private static final class Stats {
        final Map<String, ConcurrentLinkedQueue<Long>> micros = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();

        void record(String what, long t0, int status, String error) {
            micros.computeIfAbsent(what, k -> new ConcurrentLinkedQueue<>()).add((System.nanoTime() - t0) / 1000);
            statuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
            if (error != null) {
                if (errors.size() < 5) {
                    System.out.println("soak: error " + what + " -> " + status + ": " + (error.length() > 300 ? error.substring(0, 300) : error));
                }
                errors.add(what + " -> " + status + ": " + (error.length() > 300 ? error.substring(0, 300) : error));
            }
        }

        /** Errors by kind of request and status. */
        Map<String, Long> errorKinds() {
            Map<String, Long> k = new TreeMap<>();
            errors.forEach(e -> k.merge(e.substring(0, Math.max(0, e.indexOf(':'))), 1L, Long::sum));
            return k;
        }

        long total() {
            return micros.values().stream().mapToLong(ConcurrentLinkedQueue::size).sum();
        }

        void print() {
            System.out.printf("soak: %d requests served, %d errors, statuses %s%n", total(), errors.size(), new TreeMap<>(statuses));
            for (var e : new TreeMap<>(micros).entrySet()) {
                long[] v = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf("soak:   %-14s %7d requests, p50 %8.1f ms, p99 %8.1f ms%n", e.getKey(), v.length, v[v.length / 2] / 1000.0,
                        v[Math.min(v.length - 1, (int) (v.length * 0.99))] / 1000.0);
            }
            System.out.println("soak: errors by kind " + errorKinds());
            errors.stream().limit(20).forEach(e -> System.out.println("soak: error " + e));
        }
    }
}
