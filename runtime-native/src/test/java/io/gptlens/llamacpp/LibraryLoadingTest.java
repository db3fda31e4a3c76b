package io.gptlens.llamacpp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A missing or broken llama.cpp build fails with the paths tried and what to do (checked in a child JVM). */
class LibraryLoadingTest {

    @TempDir
    Path dir;

    private static String runChild(String llamaPath) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "-Dgptlens.llama.path=" + llamaPath, LlamaPreflight.class.getName(), "/nonexistent.gguf", "false", "0"))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        return out;
    }

    @Test
    void aMissingFolderIsReportedWithEveryPathTried() throws Exception {
        String out = runChild(dir.resolve("nowhere").toString());
        assertTrue(out.contains("LlamaLibraryException: llama.cpp's libraries were not found"), out);
        assertTrue(out.contains("-Dgptlens.llama.path=" + dir.resolve("nowhere") + " (no libllama*.so there)"), out);
        assertTrue(out.contains("GPTLENS_LLAMA_PATH"), out);
    }

    @Test
    void aBrokenLibraryIsReportedWithItsName() throws Exception {
        Files.writeString(dir.resolve("libllama.so"), "not an ELF file");
        Files.writeString(dir.resolve("libggml.so"), "not an ELF file");
        Files.writeString(dir.resolve("libggml-base.so"), "not an ELF file");
        String out = runChild(dir.toString());
        assertTrue(out.contains("Could not load " + dir.resolve("libggml-base.so")), out);
        assertTrue(out.contains("Is it a llama.cpp build for this machine"), out);
    }
}
