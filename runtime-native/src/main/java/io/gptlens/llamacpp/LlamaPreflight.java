package io.gptlens.llamacpp;

import io.gptlens.core.DataFolder;
import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.sampling.ChainRunner;
import io.gptlens.core.sampling.SamplerChain;
import io.gptlens.core.sampling.SamplerChains;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.llamacpp.internal.NativeLibrary;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Lets llama.cpp run a model file in a child JVM before the server loads it. llama.cpp stops the
 * process (GGML_ASSERT, abort, SIGSEGV) on some well-formed but hostile files, at load or only at
 * the first computation; in the child that ends only the child, and the parent reports a clear
 * error instead of dying.
 *
 * <p>The child runs what the server will run, through the same classes: it loads the weights
 * (memory-mapped, with the server's GPU layers), generates a few tokens from a short prompt on a
 * small context with the sampler chain run inside llama.cpp (GPTLens's own chain is Java and
 * cannot crash the process), captures the
 * internals of the playground's inside view, tokenizes a text of every kind of character and reads
 * the piece of every token (the explorer and the token strip show them). For an embedding model it
 * embeds a short text; a vocabulary-only file is only tokenized.
 *
 * <p>Verdicts are kept (in memory and in {@code <data>/preflight-verdicts.properties}) per file
 * path, size, modification time, hash of the header (metadata and tensor directory), llama.cpp
 * build and load mode, so a file already checked is not checked again. Thread-safe.
 */
public final class LlamaPreflight {

    private static final System.Logger LOG = System.getLogger(LlamaPreflight.class.getName());

    /** Longest a preflight may take. */
    static final long TIMEOUT_SECONDS = 120;
    /** Exit status of a child that finished its run without llama.cpp aborting but found the model unusable. */
    static final int REFUSED = 2;
    /** Tokens the child generates, per chain. */
    static final int GENERATED = 3;
    /** The child's context, in tokens. */
    static final int CONTEXT = 64;
    /** A prompt with ASCII, accents, CJK, an emoji, digits, whitespace runs and markup. */
    static final String SAMPLE = "Once upon a time, <b>Zoë</b> said: \"héllo 世界 🙂 1234\"\n\t  end.";

    private static final String TRIAL_FAILED = "The model failed its trial run: ";
    private static final String STEPS = "preflight steps:";
    private static final Map<String, String> VERDICTS = new ConcurrentHashMap<>();
    private static volatile boolean verdictsRead;

    private LlamaPreflight() {
    }

    /** What a preflight found: how long it took (0 when the verdict was kept from an earlier check) and whether it was cached. */
    public record Verdict(long millis, boolean cached) {
    }

    /**
     * Runs the preflight for {@code file} (or reuses the verdict of an earlier one).
     *
     * @param gguf the file, already opened and checked in Java
     * @throws IOException if llama.cpp refuses, aborts or crashes on the file, with its last words
     */
    static Verdict check(Path file, GgufFile gguf, boolean vocabOnly, int gpuLayers) throws IOException {
        String key = verdictKey(file, gguf, vocabOnly, gpuLayers);
        String kept = verdicts().get(key);
        if (kept != null) {
            if (kept.equals("ok")) {
                return new Verdict(0, true);
            }
            throw new IOException(kept);
        }
        long t0 = System.nanoTime();
        String steps;
        try {
            steps = run(file, vocabOnly, gpuLayers);
        } catch (IOException e) {
            if (!(e instanceof Unchecked)) {
                remember(key, e.getMessage());
            }
            throw e;
        }
        remember(key, "ok");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.log(System.Logger.Level.INFO, "Preflight of " + file + " passed in " + ms + " ms (" + steps + ")");
        return new Verdict(ms, false);
    }

    /** A failure that says nothing about the file (interrupted, no JVM to start): never kept as a verdict. */
    private static final class Unchecked extends IOException {
        Unchecked(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Forgets every kept verdict (tests). */
    static void forgetVerdicts() {
        VERDICTS.clear();
        verdictsRead = true;
        try {
            Files.deleteIfExists(verdictFile());
        } catch (IOException ignored) {
            // nothing kept on disk
        }
    }

    private static String verdictKey(Path file, GgufFile gguf, boolean vocabOnly, int gpuLayers) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        var attrs = Files.readAttributes(abs, java.nio.file.attribute.BasicFileAttributes.class);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(abs.toString().getBytes(StandardCharsets.UTF_8));
        sha.update(("|" + attrs.size() + "|" + attrs.lastModifiedTime().toMillis() + "|" + vocabOnly + "|" + (gpuLayers != 0)
                + "|" + LlamaLibrary.load() + "|").getBytes(StandardCharsets.UTF_8));
        try (var ch = Files.newByteChannel(abs)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16);
            long left = Math.min(gguf.dataOffset(), attrs.size());
            while (left > 0) {
                buf.clear().limit((int) Math.min(buf.capacity(), left));
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                sha.update(buf.flip());
                left -= n;
            }
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    private static Path verdictFile() {
        return DataFolder.resolve("preflight-verdicts.properties");
    }

    private static Map<String, String> verdicts() {
        if (!verdictsRead) {
            synchronized (VERDICTS) {
                if (!verdictsRead) {
                    Properties p = new Properties();
                    try (var in = Files.newBufferedReader(verdictFile(), StandardCharsets.UTF_8)) {
                        p.load(in);
                    } catch (IOException | IllegalArgumentException ignored) {
                        // none kept yet, or a damaged file: start afresh
                    }
                    p.forEach((k, v) -> VERDICTS.put((String) k, (String) v));
                    verdictsRead = true;
                }
            }
        }
        return VERDICTS;
    }

    private static void remember(String key, String verdict) {
        verdicts().put(key, verdict);
        synchronized (VERDICTS) {
            Properties p = new Properties();
            p.putAll(VERDICTS);
            Path f = verdictFile();
            try {
                Files.createDirectories(f.getParent());
                Path tmp = Files.createTempFile(f.getParent(), "preflight-", ".tmp");
                try (var w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    p.store(w, "GPTLens preflight verdicts: file key -> ok or the reason it was refused");
                }
                Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "Could not keep the preflight verdict in " + f + ": " + e.getMessage());
            }
        }
    }

    /** Runs the child; returns the time of each of its steps, as it printed them. */
    private static String run(Path file, boolean vocabOnly, int gpuLayers) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-XX:-UsePerfData", "-Djava.util.logging.SimpleFormatter.format=%4$s: %5$s%n", "-cp", classpath(),
                "-D" + NativeLibrary.PATH_PROPERTY + "=" + LlamaLibrary.load(),
                LlamaPreflight.class.getName(), file.toAbsolutePath().toString(), Boolean.toString(vocabOnly), Integer.toString(gpuLayers)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("GGML_NO_BACKTRACE", "1"); // ggml would otherwise attach gdb to print a backtrace
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new Unchecked("Cannot start the preflight check of " + file + ": " + e.getMessage(), e);
        }
        var out = new java.io.ByteArrayOutputStream();
        // read while waiting, so a chatty child never blocks on a full pipe
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = p.getInputStream()) {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (out) {
                        if (out.size() < (1 << 20)) { // keep the first MiB: the reason comes early or last
                            out.write(buf, 0, n);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the child ended
            }
        });
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Unchecked("Refusing " + file + ": llama.cpp took more than " + TIMEOUT_SECONDS
                        + " s to load it and compute " + GENERATED + " tokens", null);
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new Unchecked("Interrupted while checking " + file, e);
        }
        String output;
        synchronized (out) {
            output = out.toString(StandardCharsets.UTF_8);
        }
        int rc = p.exitValue();
        if (rc == 0) {
            int at = output.lastIndexOf(STEPS);
            return at < 0 ? "" : output.substring(at + STEPS.length()).lines().findFirst().orElse("").strip();
        }
        int said = output.lastIndexOf(TRIAL_FAILED);
        if (rc == REFUSED && said >= 0) { // the child's own reason, without the log lines before it
            throw new IOException("Refusing " + file + ": " + output.substring(said + TRIAL_FAILED.length()).strip());
        }
        String tail = lastLines(output, 6);
        String why = switch (rc) {
            case 134 -> "llama.cpp aborted (SIGABRT, exit 134) while running it";
            case 139 -> "llama.cpp crashed (SIGSEGV, exit 139) while running it";
            case 136 -> "llama.cpp crashed (SIGFPE, exit 136) while running it";
            case 135 -> "llama.cpp crashed (SIGBUS, exit 135) while running it";
            case REFUSED -> "llama.cpp refused it";
            default -> throw new Unchecked("The preflight check of " + file + " exited with " + rc
                    + (tail.isEmpty() ? "" : ": " + tail), null);
        };
        String cause = cause(output);
        throw new IOException("Refusing " + file + ": " + why + (cause != null ? ": " + cause : tail.isEmpty() ? "" : ". Last output: " + tail));
    }

    /** The line that says why llama.cpp stopped (an assertion, an uncaught exception, an error it logged), without its source path. */
    private static String cause(String output) {
        String found = null;
        for (String line : output.lines().map(String::strip).toList()) {
            int at = line.indexOf("GGML_ASSERT");
            if (at >= 0 || line.startsWith("terminate called") || line.contains("what():") || line.startsWith("SEVERE: ")) {
                found = at >= 0 ? line.substring(at) : line.replaceFirst("^SEVERE: ", "");
                if (at >= 0) {
                    return found; // an assertion is the reason; what follows is the crash report
                }
            }
        }
        return found;
    }

    private static String lastLines(String s, int n) {
        List<String> lines = s.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("WARNING:") && !l.startsWith("INFO: llama.cpp loaded from")).toList();
        String joined = String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        return joined.length() > 2000 ? joined.substring(joined.length() - 2000) : joined;
    }

    private static String classpath() throws IOException {
        Set<String> parts = new LinkedHashSet<>();
        for (Class<?> c : List.of(LlamaPreflight.class, GgufFile.class)) {
            try {
                parts.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException | NullPointerException e) {
                throw new Unchecked("Cannot locate GPTLens's classes for the preflight check", e);
            }
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    /**
     * The child: exit 0 if the run succeeds, {@link #REFUSED} with a reason on stdout if llama.cpp
     * refuses the file or a step fails cleanly (it may also abort or crash: the parent reads the exit status).
     */
    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        boolean vocabOnly = Boolean.parseBoolean(args[1]);
        int gpuLayers = Integer.parseInt(args[2]);
        LlamaLibrary.load(); // a missing library fails with exit 1: a fault of the installation, not a verdict on the file
        try {
            exercise(file, vocabOnly, gpuLayers);
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            System.out.println(TRIAL_FAILED + e.getMessage());
            System.out.flush();
            System.exit(REFUSED);
        }
        System.out.flush();
        System.exit(0);
    }

    private static void exercise(Path file, boolean vocabOnly, int gpuLayers) throws IOException {
        StringBuilder steps = new StringBuilder(STEPS);
        long t = System.nanoTime();
        GgufFile gguf = GgufFile.open(file);
        try (LlamaModel model = LlamaModel.load(file, gguf, new LoadOptions(gpuLayers, !vocabOnly, vocabOnly), null)) {
            t = lap(steps, "load", t);
            Tokenizer tok = model.tokenizer();
            int[] prompt = tok.encode(SAMPLE, true, true);
            tok.decode(prompt, false, true);
            for (int i = 0; i < tok.vocabularySize(); i++) {
                tok.piece(i, true);
                tok.type(i);
            }
            tok.specialTokens();
            t = lap(steps, "tokenizer", t);
            if (!vocabOnly) {
                int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
                if (!model.canGenerate()) {
                    try (Session s = model.newSession(new SessionOptions(CONTEXT, CONTEXT, 1, threads, false, true))) {
                        int[] few = java.util.Arrays.copyOf(prompt, Math.min(prompt.length, 8));
                        if (few.length > 0) {
                            s.evaluate(Batch.allOutputs(few, 0, 0));
                            s.embedding(-1);
                        }
                    }
                    lap(steps, "embed", t);
                } else {
                    NamedProviders<SamplerProvider> samplers = NamedProviders.load(SamplerProvider.class, LlamaPreflight.class.getClassLoader());
                    GenerationRequest request = new GenerationRequest("Once upon a time", GENERATED, List.of(), true, true, 2, 0);
                    // the chain inside llama.cpp: its samplers are native code too (GPTLens's own chain is Java: it cannot crash the process)
                    try (Session s = model.newSession(new SessionOptions(CONTEXT, CONTEXT, 1, threads, false, false));
                         SamplerChain chain = SamplerChains.build(samplers, SamplerChains.standard(0.8, 40, 0.95, 0.05, 7), 7);
                         ChainRunner runner = s.runNatively(chain)) {
                        new Generator(s, tok).generate(request, runner, e -> {
                        });
                    }
                    t = lap(steps, "generate", t);
                    int[] two = java.util.Arrays.copyOf(prompt, Math.min(prompt.length, 2));
                    if (two.length > 0) {
                        model.internals(two);
                    }
                    lap(steps, "internals", t);
                }
            }
        }
        System.out.println(steps);
    }

    private static long lap(StringBuilder steps, String name, long since) {
        long now = System.nanoTime();
        steps.append(steps.length() > STEPS.length() ? ", " : " ").append(name).append(' ').append((now - since) / 1_000_000).append(" ms");
        return now;
    }
}
