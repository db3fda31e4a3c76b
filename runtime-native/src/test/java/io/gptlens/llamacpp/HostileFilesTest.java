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

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files that would crash or confuse llama.cpp are refused with a message; the JVM lives on. */
class HostileFilesTest {

    @TempDir
    Path dir;

    /** stories260K with one metadata value replaced. */
    private Path storiesWith(String key, GgufValue value) throws Exception {
        Path out = dir.resolve("patched.gguf");
        GgufWriter w = new GgufWriter();
        try (GgufFile f = GgufFile.open(TestFiles.stories())) {
            f.metadata().forEach((k, v) -> w.put(k, k.equals(key) ? value : v));
            for (var t : f.tensors().values()) {
                w.addTensor(t.name(), t.type(), f.tensorData(t).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.shape());
            }
        }
        w.write(out);
        return out;
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
