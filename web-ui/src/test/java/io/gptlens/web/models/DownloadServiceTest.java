package io.gptlens.web.models;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Downloads against a local HTTP server: resumption, sha256 check, refusal of non-GGUF data. */
@QuarkusTest
class DownloadServiceTest {

    @Inject
    DownloadService downloads;
    @Inject
    ModelRegistry registry;

    private static byte[] stories() throws Exception {
        return Files.readAllBytes(Path.of(System.getProperty("gptlens.shared.dir", "../shared"), "models", "stories260K.gguf"));
    }

    @Test
    void resumesAfterADroppedConnectionAndVerifiesTheSha256() throws Exception {
        byte[] body = stories();
        try (ModelServer server = new ModelServer(body).cutFirstResponseAt(400_000)) {
            String sha = FileHash.sha256(Path.of(System.getProperty("gptlens.shared.dir", "../shared"), "models", "stories260K.gguf"));
            var d = downloads.start(server.url("resumed-" + System.nanoTime() + ".gguf"), sha);
            Path p = d.done().get(60, TimeUnit.SECONDS);
            assertArrayEquals(body, Files.readAllBytes(p));
            assertEquals(DownloadService.Progress.State.DONE, d.progress().state());
            assertEquals("sha256 verified", d.progress().message());
            assertTrue(server.requests() >= 2, "a second request resumed the download");
            assertFalse(Files.exists(p.resolveSibling(p.getFileName() + ".part")));
            Files.delete(p);
        }
    }

    @Test
    void aWrongSha256DeletesTheDownload() throws Exception {
        try (ModelServer server = new ModelServer(stories())) {
            var d = downloads.start(server.url("badsha-" + System.nanoTime() + ".gguf"), "0".repeat(64));
            var e = assertThrows(ExecutionException.class, () -> d.done().get(60, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("sha256 mismatch"), e.getCause().getMessage());
            assertEquals(DownloadService.Progress.State.FAILED, d.progress().state());
            assertFalse(Files.exists(d.target()));
        }
    }

    @Test
    void somethingThatIsNotGgufIsRefused() throws Exception {
        try (ModelServer server = new ModelServer("<html>not a model</html>".getBytes())) {
            var d = downloads.start(server.url("html-" + System.nanoTime() + ".gguf"), null);
            var e = assertThrows(ExecutionException.class, () -> d.done().get(60, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("not a GGUF file"), e.getCause().getMessage());
        }
    }

    @Test
    void namesAndUrls() {
        assertEquals("https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf",
                DownloadService.resolve("Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf").toString());
        assertEquals(ModelException.Kind.INVALID, assertThrows(ModelException.class, () -> DownloadService.resolve("file:///etc/passwd")).kind());
        assertEquals(ModelException.Kind.INVALID, assertThrows(ModelException.class, () -> DownloadService.resolve("http://a b/m.gguf")).kind());
        assertEquals(ModelException.Kind.INVALID, assertThrows(ModelException.class, () -> downloads.start("http://127.0.0.1:1/../../x.sh", null)).kind());
        assertEquals(ModelException.Kind.INVALID, assertThrows(ModelException.class, () -> downloads.start("http://127.0.0.1:1/m.gguf", "xyz")).kind());
        assertEquals("1.1 MB", DownloadService.size(1_185_376));
    }
}
