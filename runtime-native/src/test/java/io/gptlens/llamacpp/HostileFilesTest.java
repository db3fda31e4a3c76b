package io.gptlens.llamacpp;

import io.gptlens.core.gguf.GgufException;
import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufValue;
import io.gptlens.core.gguf.GgufValueType;
import io.gptlens.core.gguf.GgufWriter;
import io.gptlens.core.model.LoadOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files that would crash or confuse llama.cpp are refused with a message; the JVM lives on. */
class HostileFilesTest {

    @TempDir
    Path dir;

    /** stories260K with one metadata value replaced (or added). */
    private Path storiesWith(String key, GgufValue value) throws Exception {
        Path out = dir.resolve("patched.gguf");
        GgufWriter w = new GgufWriter();
        try (GgufFile f = GgufFile.open(TestFiles.stories())) {
            f.metadata().forEach((k, v) -> w.put(k, k.equals(key) ? value : v));
            w.put(key, value);
            for (var t : f.tensors().values()) {
                w.addTensor(t.name(), t.type(), f.tensorData(t).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.shape());
            }
        }
        w.write(out);
        return out;
    }

    /** stories260K with every 2-D weight stored as F64 (a type ggml holds but cannot multiply). */
    private Path storiesInF64() throws Exception {
        Path out = dir.resolve("f64.gguf");
        TestFiles.withF64Weights(TestFiles.stories(), out);
        return out;
    }

    private static final String EPS = "llama.attention.layer_norm_rms_epsilon";

    @Test
    void hostileFloatHyperparametersAreRefusedInJava() throws Exception {
        for (double v : new double[] {Double.NaN, -1e-5, Double.POSITIVE_INFINITY}) {
            Path p = storiesWith(EPS, new GgufValue.Float(GgufValueType.FLOAT32, v));
            IOException e = assertThrows(IOException.class, () -> new LlamaBackend().load(p, LoadOptions.defaults(), null));
            assertTrue(e.getMessage().contains(EPS + " = " + (float) v), e.getMessage());
        }
        Path base = storiesWith("llama.rope.freq_base", new GgufValue.Float(GgufValueType.FLOAT32, 0));
        IOException e = assertThrows(IOException.class, () -> new LlamaBackend().load(base, LoadOptions.defaults(), null));
        assertTrue(e.getMessage().contains("llama.rope.freq_base = 0.0 must be above 0"), e.getMessage());
    }

    /** Values the fuzz campaign found to abort llama.cpp in the preflight child, now refused in Java with a plainer message. */
    @Test
    void hyperparametersThatAbortLlamaCppAreRefusedInJava() throws Exception {
        Object[][] cases = {
                {"llama.block_count", new GgufValue.Int(GgufValueType.UINT32, 0), "llama.block_count = 0: a model needs at least one layer"},
                {"llama.expert_count", new GgufValue.Int(GgufValueType.UINT32, 7), "it is not a mixture of experts"},
                {"llama.expert_used_count", new GgufValue.Int(GgufValueType.UINT32, 1), "must be between 0 and expert_count = 0"},
                {"llama.rope.scaling.type", new GgufValue.Str("nonesuch"), "'nonesuch' is not one llama.cpp knows"},
        };
        for (Object[] c : cases) {
            Path p = storiesWith((String) c[0], (GgufValue) c[1]);
            IOException e = assertThrows(IOException.class, () -> new LlamaBackend().load(p, LoadOptions.defaults(), null));
            assertTrue(e.getMessage().contains((String) c[2]), e.getMessage());
        }
    }

    @Test
    void f64WeightsAreRefusedInJava() throws Exception {
        Path p = storiesInF64();
        IOException e = assertThrows(IOException.class, () -> new LlamaBackend().load(p, LoadOptions.defaults(), null));
        assertTrue(e.getMessage().contains("have type F64, which llama.cpp cannot compute with"), e.getMessage());
    }

    /** Past the Java checks, the child's trial run meets llama.cpp's abort (NaN epsilon) and crash (F64 weights); this JVM lives on. */
    @Test
    void computeTimeAbortsAndCrashesEndOnlyThePreflightChild() throws Exception {
        LlamaPreflight.forgetVerdicts();
        Path nan = storiesWith(EPS, new GgufValue.Float(GgufValueType.FLOAT32, Double.NaN));
        try (GgufFile g = GgufFile.open(nan)) {
            IOException e = assertThrows(IOException.class, () -> LlamaPreflight.check(nan, g, false, 0));
            assertTrue(e.getMessage().contains("SIGABRT, exit 134") && e.getMessage().contains("eps"), e.getMessage());
        }
        Path f64 = storiesInF64();
        try (GgufFile g = GgufFile.open(f64)) {
            IOException e = assertThrows(IOException.class, () -> LlamaPreflight.check(f64, g, false, 0));
            assertTrue(e.getMessage().contains("SIGSEGV, exit 139") || e.getMessage().contains("SIGABRT, exit 134"), e.getMessage());
            // the verdict is kept: the second check answers at once with the same reason
            long t0 = System.nanoTime();
            IOException again = assertThrows(IOException.class, () -> LlamaPreflight.check(f64, g, false, 0));
            assertTrue((System.nanoTime() - t0) < 100_000_000L, "a kept verdict must not start a child");
            assertEquals(e.getMessage(), again.getMessage());
        }
    }

    @Test
    void aSoundFileIsRunOnceAndItsVerdictKept() throws Exception {
        LlamaPreflight.forgetVerdicts();
        Path p = storiesWith("general.name", new GgufValue.Str("stories copy"));
        try (GgufFile g = GgufFile.open(p)) {
            LlamaPreflight.Verdict first = LlamaPreflight.check(p, g, false, 0);
            assertFalse(first.cached());
            LlamaPreflight.Verdict second = LlamaPreflight.check(p, g, false, 0);
            assertTrue(second.cached());
        }
        // a changed file (new modification time) is checked again
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        try (GgufFile g = GgufFile.open(p)) {
            assertFalse(LlamaPreflight.check(p, g, false, 0).cached());
        }
    }

    @Test
    void aLyingBlockCountIsRefusedBeforeLlamaCppSeesIt() throws Exception {
        Path p = storiesWith("llama.block_count", new GgufValue.Int(GgufValueType.UINT32, 1000));
        IOException e = assertThrows(IOException.class, () -> new LlamaBackend().load(p, LoadOptions.defaults(), null));
        assertTrue(e.getMessage().contains("llama.block_count = 1000"), e.getMessage());
    }

    @Test
    void aFileLlamaCppRefusesIsReportedByThePreflight() throws Exception {
        Path p = storiesWith("general.architecture", new GgufValue.Str("llama"));
        // rename the architecture's keys away: the metadata check passes (no block count claims), llama.cpp refuses
        Path q = dir.resolve("unknown-arch.gguf");
        GgufWriter w = new GgufWriter();
        try (GgufFile f = GgufFile.open(p)) {
            f.metadata().forEach((k, v) -> w.put(k.startsWith("llama.") ? "nonesuch." + k.substring(6) : k,
                    k.equals("general.architecture") ? new GgufValue.Str("nonesuch") : v));
            for (var t : f.tensors().values()) {
                w.addTensor(t.name(), t.type(), f.tensorData(t).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.shape());
            }
        }
        w.write(q);
        IOException e = assertThrows(IOException.class, () -> new LlamaBackend().load(q, LoadOptions.defaults(), null));
        assertTrue(e.getMessage().startsWith("Refusing " + q), e.getMessage());
        assertTrue(e.getMessage().contains("nonesuch"), e.getMessage());
    }

    @Test
    void garbageAndMissingFiles() throws Exception {
        Path g = dir.resolve("garbage.gguf");
        Files.writeString(g, "not a model at all");
        assertThrows(GgufException.class, () -> new LlamaBackend().load(g, LoadOptions.defaults(), null));
        IOException e = assertThrows(IOException.class, () -> new LlamaBackend().load(dir.resolve("nope.gguf"), LoadOptions.defaults(), null));
        assertTrue(e.getMessage().contains("No such model file"));
    }
}
