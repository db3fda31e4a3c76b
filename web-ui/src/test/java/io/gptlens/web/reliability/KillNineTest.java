package io.gptlens.web.reliability;

import io.gptlens.web.explorer.index.EmbeddingIndex;
import io.gptlens.web.models.DownloadService;
import io.gptlens.web.models.FileHash;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.models.ModelServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Index builds and downloads survive {@code kill -9}: a child JVM builds an index (or downloads
 * a model) and is killed with SIGKILL at several moments; the next run neither opens a
 * half-written index nor keeps a half-written file as complete, and finishes the work.
 */
class KillNineTest {

    static final int ROWS = 20_000;
    static final int DIM = 64;

    @TempDir
    Path dir;

    private static Process child(Path data, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dgptlens.data=" + data, "-cp", System.getProperty("java.class.path"), Child.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("child.log").toFile()).start();
    }

    private static void killNine(Process p) throws Exception {
        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue(), "the child was killed by SIGKILL");
    }

    private static long leftovers(Path parent, String name) throws Exception {
        try (var s = Files.list(parent)) {
            return s.filter(p -> p.getFileName().toString().startsWith(name + ".building-")).count();
        }
    }

    @Test
    void anIndexBuildKilledAtAnyMomentLeavesNoIndexThatOpensHalfWritten() throws Exception {
        Path index = dir.resolve("indexes").resolve("we");
        int killed = 0;
        for (long delayMs : new long[] {50, 400, 1500, 3000}) {
            Process p = child(dir, "index", index.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && p.isAlive() && (!Files.isDirectory(index.getParent()) || leftovers(index.getParent(), "we") == 0)) {
                Thread.sleep(5);
            }
            Thread.sleep(delayMs);
            if (p.isAlive()) {
                killNine(p);
                killed++;
                assertFalse(EmbeddingIndex.complete(index), "a build killed after " + delayMs + " ms must not look complete");
            } else {
                assertEquals(0, p.exitValue());
                try (EmbeddingIndex idx = EmbeddingIndex.open(index)) {
                    assertEquals(ROWS, idx.size());
                }
            }
        }
        assertTrue(killed >= 2, "at least two builds were killed mid-way (" + killed + ")");
        // the next build clears what the killed ones left and finishes
        try (EmbeddingIndex idx = EmbeddingIndex.build(index, ROWS, KillNineTest::row, null, Thread.ofPlatform().factory())) {
            assertEquals(ROWS, idx.size());
        }
        assertEquals(0, leftovers(index.getParent(), "we"), "no half-written build folders are kept");
        assertTrue(EmbeddingIndex.complete(index));
    }

    @Test
    void aDownloadKilledMidwayIsNeverTakenForCompleteAndResumes() throws Exception {
        byte[] model = Files.readAllBytes(Path.of(System.getProperty("gptlens.shared.dir", "../../shared"), "models", "stories260K.gguf"));
        String sha = FileHash.sha256(writeTemp(model));
        try (ModelServer server = new ModelServer(model).pace(150)) {
            String url = server.url("stories-copy.gguf");
            Path folder = dir.resolve("models");
            Path target = folder.resolve("stories-copy.gguf");
            Path part = folder.resolve("stories-copy.gguf.part");
            Process p = child(dir, "download", url, sha);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && (!Files.exists(part) || Files.size(part) < 128 * 1024)) {
                Thread.sleep(5);
            }
            killNine(p);
            assertFalse(Files.exists(target), "a killed download is not in place as a model");
            long kept = Files.size(part);
            assertTrue(kept > 0 && kept < model.length, "the part file holds what arrived: " + kept);
            // the next run resumes from the part file and moves the checked file into place
            Process again = child(dir, "download", url, sha);
            assertTrue(again.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, again.exitValue(), Files.readString(dir.resolve("child.log")));
            assertTrue(Files.exists(target));
            assertFalse(Files.exists(part));
            assertEquals(sha, FileHash.sha256(target));
        }
    }

    private Path writeTemp(byte[] b) throws Exception {
        Path p = dir.resolve("expected.bin");
        Files.write(p, b);
        return p;
    }

    static float[] row(int i) {
        Random r = new Random(i);
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) r.nextGaussian();
        }
        return v;
    }

    /** The child process: builds the index, or runs a download to its end. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            switch (args[0]) {
                case "index" -> {
                    try (EmbeddingIndex idx = EmbeddingIndex.build(Path.of(args[1]), ROWS, KillNineTest::row, null,
                            Thread.ofPlatform().factory())) {
                        System.out.println("built " + idx.size());
                    }
                }
                case "download" -> {
                    DownloadService d = new DownloadService(new ModelRegistry(null));
                    var dl = d.start(args[1], args[2]);
                    System.out.println("downloaded " + dl.done().get(120, TimeUnit.SECONDS));
                }
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.exit(0);
        }
    }
}
