package io.gptlens.llamacpp.internal;

import io.gptlens.core.DataFolder;
import io.gptlens.llamacpp.LlamaLibraryException;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds and loads llama.cpp's shared libraries, once per JVM.
 *
 * <p>Where it looks, in order:
 * <ol>
 *   <li>the folder in system property {@code gptlens.llama.path};</li>
 *   <li>the folder in environment variable {@code GPTLENS_LLAMA_PATH};</li>
 *   <li>the CPU build bundled in this jar under {@code native/linux-x64/} (extracted to
 *       {@code <data>/native/<version>/} when running from a jar; {@code <data>} is system property
 *       {@code gptlens.data}, else {@code GPTLENS_DATA}, else {@code ~/.gptlens}).</li>
 * </ol>
 * A folder must hold {@code libggml-base}, {@code libggml} and {@code libllama} (any of the
 * names llama.cpp builds use, e.g. {@code libllama.so} or {@code libllama.v0.5.0.so}), plus the
 * backend libraries {@code libggml-cpu-*.so} (and {@code libggml-cuda.so} for a CUDA build) that
 * {@code ggml_backend_load_all_from_path} loads from the same folder.
 *
 * <p>Libraries stay loaded for the life of the JVM, so they are bound to {@link Arena#global()}.
 */
public final class NativeLibrary {

    /** The property naming a folder with llama.cpp's libraries. */
    public static final String PATH_PROPERTY = "gptlens.llama.path";
    /** The environment variable naming a folder with llama.cpp's libraries. */
    public static final String PATH_ENV = "GPTLENS_LLAMA_PATH";
    private static final String BUNDLED = "/native/linux-x64/";

    private static volatile Loaded loaded;

    /** What was loaded. */
    public record Loaded(Path directory, SymbolLookup lookup) {
    }

    private NativeLibrary() {
    }

    /** Loads the libraries if needed; returns where they came from and their symbols. */
    public static Loaded get() {
        Loaded l = loaded;
        if (l == null) {
            synchronized (NativeLibrary.class) {
                l = loaded;
                if (l == null) {
                    l = load();
                    loaded = l;
                }
            }
        }
        return l;
    }

    private static Loaded load() {
        if (!NativeLibrary.class.getModule().isNativeAccessEnabled()) {
            System.getLogger("io.gptlens.llamacpp").log(System.Logger.Level.WARNING,
                    "Native access is not enabled for GPTLens; start the JVM with --enable-native-access=ALL-UNNAMED "
                            + "(the ./gptlens launcher and the Maven build do this)");
        }
        List<String> tried = new ArrayList<>();
        Path dir = findDirectory(tried);
        if (dir == null) {
            throw new LlamaLibraryException("llama.cpp's libraries were not found. Looked in:\n  " + String.join("\n  ", tried)
                    + "\nBuild GPTLens with ./mvnw (it fetches the CPU build with npm), or point -D" + PATH_PROPERTY
                    + " or " + PATH_ENV + " at a folder holding libggml-base.so, libggml.so and libllama.so of llama.cpp v0.5.0"
                    + " (e.g. unpacked from npm @node-llama-cpp/linux-x64-cuda@3.22.1 for CUDA).");
        }
        Arena global = Arena.global(); // the libraries are never unloaded
        SymbolLookup lookup = null;
        for (String prefix : List.of("libggml-base", "libggml", "libllama")) {
            Path lib = library(dir, prefix).orElseThrow(() -> new LlamaLibraryException(
                    "No " + prefix + "*.so in " + dir + " (needed beside libllama); tried: " + String.join("; ", tried)));
            try {
                SymbolLookup l = SymbolLookup.libraryLookup(lib, global);
                lookup = lookup == null ? l : l.or(lookup);
            } catch (IllegalArgumentException e) {
                throw new LlamaLibraryException("Could not load " + lib + ": " + e.getMessage()
                        + ". Is it a llama.cpp build for this machine (" + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")?", e);
            }
        }
        SymbolLookup all = lookup;
        Linker linker = Linker.nativeLinker();
        try {
            MethodHandle loadAll = linker.downcallHandle(all.find("ggml_backend_load_all_from_path").orElseThrow(),
                    FunctionDescriptor.ofVoid(java.lang.foreign.ValueLayout.ADDRESS));
            MethodHandle init = linker.downcallHandle(all.find("llama_backend_init").orElseThrow(), FunctionDescriptor.ofVoid());
            LlamaLog.install(linker, all);
            try (Arena arena = Arena.ofConfined()) {
                loadAll.invokeExact(arena.allocateFrom(dir.toString()));
            }
            init.invokeExact();
        } catch (java.util.NoSuchElementException e) {
            throw new LlamaLibraryException("The libraries in " + dir + " lack llama.cpp's entry points (ggml_backend_load_all_from_path, "
                    + "llama_backend_init): not llama.cpp v0.5.0?", e);
        } catch (Throwable t) {
            throw new LlamaLibraryException("Initialising llama.cpp from " + dir + " failed: " + t, t);
        }
        System.getLogger("io.gptlens.llamacpp").log(System.Logger.Level.INFO, "llama.cpp loaded from " + dir);
        return new Loaded(dir, all);
    }

    private static Path findDirectory(List<String> tried) {
        String prop = System.getProperty(PATH_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            Path p = Path.of(prop);
            tried.add("-D" + PATH_PROPERTY + "=" + p + (hasLlama(p) ? "" : " (no libllama*.so there)"));
            return hasLlama(p) ? p : null; // an explicit choice that fails is an error, not a reason to fall back
        }
        String env = System.getenv(PATH_ENV);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            tried.add(PATH_ENV + "=" + p + (hasLlama(p) ? "" : " (no libllama*.so there)"));
            return hasLlama(p) ? p : null;
        }
        URL list = NativeLibrary.class.getResource(BUNDLED + "files.txt");
        if (list == null) {
            tried.add("classpath resource " + BUNDLED + " (not bundled: build runtime-native with ./mvnw, which fetches it)");
            return null;
        }
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux") || !System.getProperty("os.arch", "").matches("amd64|x86_64")) {
            tried.add("bundled linux-x64 build (this machine is " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")");
            return null;
        }
        try {
            if ("file".equals(list.getProtocol())) {
                Path p = Path.of(list.toURI()).getParent();
                tried.add(p.toString());
                return hasLlama(p) ? p : null;
            }
            Path p = extract(list);
            tried.add(p + " (extracted from the jar)");
            return hasLlama(p) ? p : null;
        } catch (IOException | URISyntaxException e) {
            tried.add("bundled libraries could not be extracted: " + e);
            return null;
        }
    }

    /** Copies the bundled libraries out of the jar, once per version, via a temporary folder and a move. */
    private static Path extract(URL list) throws IOException {
        String stamp;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(BUNDLED + ".stamp")) {
            stamp = in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        Path target = DataFolder.resolve("native").resolve(stamp.replaceAll("[^A-Za-z0-9._-]", "_"));
        if (hasLlama(target)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempDirectory(target.getParent(), "extract");
        List<String> names;
        try (InputStream in = list.openStream()) {
            names = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        for (String name : names) {
            if (!name.matches("lib[A-Za-z0-9._-]+\\.so[0-9.]*")) {
                throw new IOException("Unexpected library name in files.txt: " + name);
            }
            try (InputStream in = NativeLibrary.class.getResourceAsStream(BUNDLED + name)) {
                if (in == null) {
                    throw new IOException("files.txt names " + name + " but the jar lacks it");
                }
                Files.copy(in, tmp.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            if (!hasLlama(target)) {
                throw raced;
            }
        }
        return target;
    }

    private static boolean hasLlama(Path dir) {
        return Files.isDirectory(dir) && library(dir, "libllama").isPresent();
    }

    private static Optional<Path> library(Path dir, String prefix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                // "libggml." matches libggml.so and libggml.v0.5.0.so, not libggml-base.so or libggml-cpu-*.so
                return n.startsWith(prefix + ".") && n.contains(".so");
            }).sorted().findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A C string's contents. */
    public static String string(MemorySegment cstr) {
        return cstr.equals(MemorySegment.NULL) ? null : cstr.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
