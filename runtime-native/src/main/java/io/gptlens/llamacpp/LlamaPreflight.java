package io.gptlens.llamacpp;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.llamacpp.internal.Layouts;
import io.gptlens.llamacpp.internal.Llama;
import io.gptlens.llamacpp.internal.LlamaLog;
import io.gptlens.llamacpp.internal.NativeLibrary;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Lets llama.cpp read a model file in a child JVM before the server loads it. llama.cpp stops the
 * process (GGML_ASSERT, abort) on some well-formed but inconsistent files; in the child that ends
 * only the child, and the parent reports a clear error instead of dying.
 *
 * <p>The child loads with {@code no_alloc} (metadata and simulated allocation only), so it costs
 * a JVM start (about half a second) and no memory for weights.
 */
public final class LlamaPreflight {

    /** Longest a preflight may take. */
    static final long TIMEOUT_SECONDS = 120;

    private LlamaPreflight() {
    }

    /**
     * Runs the preflight for {@code file}.
     *
     * @throws IOException if llama.cpp refuses or aborts on the file, with its last words
     */
    static void check(Path file, boolean vocabOnly) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-cp", classpath(),
                "-D" + NativeLibrary.PATH_PROPERTY + "=" + LlamaLibrary.load(),
                LlamaPreflight.class.getName(), file.toAbsolutePath().toString(), Boolean.toString(vocabOnly)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("GGML_NO_BACKTRACE", "1"); // ggml would otherwise attach gdb to print a backtrace
        Process p = pb.start();
        var out = new java.io.ByteArrayOutputStream();
        // read while waiting, so a chatty child never blocks on a full pipe
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // the child ended
            }
        });
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("llama.cpp took more than " + TIMEOUT_SECONDS + " s to read " + file + "; refusing it");
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while checking " + file, e);
        }
        String output = out.toString(StandardCharsets.UTF_8);
        int rc = p.exitValue();
        if (rc == 0) {
            return;
        }
        String tail = lastLines(output, 6);
        String why = switch (rc) {
            case 134 -> "llama.cpp aborted (SIGABRT, exit 134) while reading it";
            case 139 -> "llama.cpp crashed (SIGSEGV, exit 139) while reading it";
            case 2 -> "llama.cpp refused it";
            default -> "the check exited with " + rc;
        };
        throw new IOException("Refusing " + file + ": " + why + (tail.isEmpty() ? "" : ". Last output: " + tail));
    }

    private static String lastLines(String s, int n) {
        List<String> lines = s.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("WARNING:")).toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    private static String classpath() throws IOException {
        Set<String> parts = new LinkedHashSet<>();
        for (Class<?> c : List.of(LlamaPreflight.class, GgufFile.class)) {
            try {
                parts.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException | NullPointerException e) {
                throw new IOException("Cannot locate GPTLens's classes for the preflight check", e);
            }
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    /** The child: exit 0 if llama.cpp reads the file, 2 if it refuses it (it may also abort). */
    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        boolean vocabOnly = Boolean.parseBoolean(args[1]);
        LlamaLibrary.load();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = Llama.modelDefaultParams(arena);
            params.set(ValueLayout.JAVA_BOOLEAN, Layouts.offset(Layouts.MODEL_PARAMS, "no_alloc"), true);
            params.set(ValueLayout.JAVA_BOOLEAN, Layouts.offset(Layouts.MODEL_PARAMS, "vocab_only"), vocabOnly);
            params.set(ValueLayout.JAVA_INT, Layouts.offset(Layouts.MODEL_PARAMS, "n_gpu_layers"), 0);
            params.set(ValueLayout.JAVA_INT, Layouts.offset(Layouts.MODEL_PARAMS, "load_mode"), 0); // no_alloc needs mmap off
            LlamaLog.clearRecent();
            MemorySegment m = Llama.modelLoad(arena.allocateFrom(file.toString()), params);
            if (m.equals(MemorySegment.NULL)) {
                System.out.println("llama.cpp could not load " + file + LlamaLog.recentSuffix());
                System.exit(2);
            }
            Llama.modelFree(m);
        }
        System.exit(0);
    }
}
