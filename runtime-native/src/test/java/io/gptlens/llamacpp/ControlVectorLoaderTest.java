package io.gptlens.llamacpp;

import io.gptlens.core.steering.ControlVectorFile;
import io.gptlens.core.steering.Direction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A control vector written by GPTLens loads in llama.cpp's own loader: {@code common_control_vector_load}
 * (libcommon, which the prebuilt libraries lack) is compiled here from the fetched llama.cpp source
 * with a one-function C entry ({@code src/test/c/cvec_shim.cpp}), linked to the prebuilt libllama,
 * and called through FFM. What it reads, scaled by the strength, must be the vectors GPTLens wrote.
 */
class ControlVectorLoaderTest {

    @TempDir
    Path dir;

    /** Builds the shim against llama.cpp's common/ and the libraries the JVM loaded. */
    private Path shim() throws Exception {
        Path src = TestFiles.llamaSource();
        Path common = src.resolve("common");
        assertTrue(Files.isRegularFile(common.resolve("common.cpp")), "libcommon's source is fetched with the headers: " + common);
        Path natives = LlamaLibrary.load();
        List<String> cmd = new ArrayList<>(List.of("g++", "-std=c++17", "-O1", "-fPIC", "-shared", "-I", common.toString(),
                "-I", src.resolve("include").toString(), "-I", src.resolve("ggml/include").toString(),
                Path.of("src", "test", "c", "cvec_shim.cpp").toAbsolutePath().toString(), common.resolve("common.cpp").toString(),
                common.resolve("log.cpp").toString(), "-o", dir.resolve("libgptlens-cvec.so").toString()));
        try (Stream<Path> s = Files.list(natives)) { // the very files the JVM loaded: the shim's NEEDED entries resolve to them by soname
            s.filter(p -> p.getFileName().toString().matches("lib(llama|ggml|ggml-base)(\\.v[0-9.]+)?\\.so")).forEach(p -> cmd.add(p.toString()));
        }
        // common.cpp refers to the rest of libcommon (sampling, chat, …); the loader never calls it, and functions bind lazily
        cmd.addAll(List.of("-Wl,--allow-shlib-undefined", "-Wl,--unresolved-symbols=ignore-all"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "g++ took over 5 minutes");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return dir.resolve("libgptlens-cvec.so");
    }

    @Test
    void llamaCppsOwnLoaderReadsWhatGptLensWrote() throws Throwable {
        int layers = 6;
        int d = 16;
        Random r = new Random(11);
        float[][] v = new float[layers][];
        for (int l : new int[]{1, 2, 4}) { // layer 3 left out: the loader fills it with zeros; layer 5 too: it stops at the last given
            v[l] = new float[d];
            for (int i = 0; i < d; i++) {
                v[l][i] = (float) r.nextGaussian();
            }
        }
        Path file = dir.resolve("direction.gguf");
        ControlVectorFile.write(new Direction("test", d, v), "llama", file);

        Path lib = shim();
        try (Arena a = Arena.ofConfined()) {
            SymbolLookup shim = SymbolLookup.libraryLookup(lib, a);
            MethodHandle load = Linker.nativeLinker().downcallHandle(shim.find("gptlens_cvec_load").orElseThrow(), FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
            for (float strength : new float[]{1f, 2.5f, -0.75f}) {
                MemorySegment out = a.allocate(ValueLayout.JAVA_FLOAT, 64L * d);
                MemorySegment written = a.allocate(ValueLayout.JAVA_LONG);
                int nEmbd = (int) load.invokeExact(a.allocateFrom(file.toString()), strength, out, 64L * d, written);
                assertEquals(d, nEmbd, "llama.cpp read the file (n_embd)");
                long n = written.get(ValueLayout.JAVA_LONG, 0);
                assertEquals(4L * d, n, "layers 1 to 4, the last one written");
                float[] got = out.asSlice(0, 4 * n).toArray(ValueLayout.JAVA_FLOAT);
                for (int l = 1; l <= 4; l++) {
                    float[] want = new float[d];
                    for (int i = 0; i < d && v[l] != null; i++) {
                        want[i] = v[l][i] * strength;
                    }
                    assertArrayEquals(want, java.util.Arrays.copyOfRange(got, (l - 1) * d, l * d), 1e-6f, "layer " + l + " at strength " + strength);
                }
            }
            // and it refuses what is not a control vector
            Path junk = Files.writeString(dir.resolve("junk.gguf"), "not a gguf");
            MemorySegment out = a.allocate(ValueLayout.JAVA_FLOAT, d);
            int rc = (int) load.invokeExact(a.allocateFrom(junk.toString()), 1f, out, (long) d, a.allocate(ValueLayout.JAVA_LONG));
            assertEquals(-1, rc);
        }
    }
}
