package io.gptlens.core.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile and broken files fail with messages that name file, field, value and limit. */
class GgufValidationTest {

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] header(int version, long tensors, long kvs) {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(GgufFile.MAGIC).putInt(version)
                .putLong(tensors).putLong(kvs).array();
    }

    private String fail(byte[] bytes) throws Exception {
        Path p = write("bad.gguf", bytes);
        GgufException e = assertThrows(GgufException.class, () -> GgufFile.open(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void notGguf() throws Exception {
        assertTrue(fail("hello world, not a model".getBytes()).contains("bad magic"));
        assertTrue(fail(new byte[0]).contains("truncated"));
    }

    @Test
    void wrongVersion() throws Exception {
        assertTrue(fail(header(1, 0, 0)).contains("unsupported GGUF version 1; supported: 2, 3"));
    }

    @Test
    void absurdCounts() throws Exception {
        assertTrue(fail(header(3, Long.MAX_VALUE, 0)).contains("tensor_count 9223372036854775807 exceeds the limit"));
        assertTrue(fail(header(3, 0, -1)).contains("metadata_kv_count 18446744073709551615 exceeds the limit"));
    }

    @Test
    void stringLongerThanTheFile() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header(3, 0, 1));
        b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        assertTrue(fail(b.toByteArray()).contains("has length 1099511627776; limit"));
    }

    @Test
    void arrayLongerThanTheFile() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header(3, 0, 1));
        b.writeBytes(ByteBuffer.allocate(8 + 1 + 4 + 4 + 8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(1).put((byte) 'k').putInt(GgufValueType.ARRAY.id()).putInt(GgufValueType.UINT32.id()).putLong(1L << 33).array());
        assertTrue(fail(b.toByteArray()).contains("array 'k' claims 8589934592 elements of UINT32"));
    }

    @Test
    void tensorPastTheEndOfTheFile() throws Exception {
        Path good = dir.resolve("good.gguf");
        new GgufWriter().putString("general.architecture", "x").addTensor("t", new float[64], 64).write(good);
        byte[] all = Files.readAllBytes(good);
        byte[] cut = java.util.Arrays.copyOf(all, all.length - 100);
        String m = fail(cut);
        assertTrue(m.contains("tensor 't'") && m.contains("extends past the end of the file"), m);
    }

    @Test
    void unknownTensorTypeAndTooManyDims() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header(3, 1, 0));
        b.writeBytes(ByteBuffer.allocate(8 + 1 + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(1).put((byte) 't').putInt(9).array());
        assertTrue(fail(b.toByteArray()).contains("tensor 't' has n_dims 9; allowed: 1..4"));
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        c.writeBytes(header(3, 1, 0));
        c.writeBytes(ByteBuffer.allocate(8 + 1 + 4 + 8 + 4 + 8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(1).put((byte) 't').putInt(1).putLong(4).putInt(4).putLong(0).array());
        assertTrue(fail(c.toByteArray()).contains("unknown ggml type 4"));
    }

    @Test
    void randomGarbageNeverEscapesAsAnythingButGgufException() throws Exception {
        Path good = dir.resolve("seed.gguf");
        new GgufWriter().putString("general.architecture", "llama").putStrings("tokenizer.ggml.tokens", List.of("a", "b"))
                .putFloats("f", new float[]{1, 2}).addTensor("t", new float[32], 32).write(good);
        byte[] base = Files.readAllBytes(good);
        Random r = new Random(1);
        for (int i = 0; i < 2000; i++) {
            byte[] m = base.clone();
            for (int k = 0; k < 1 + r.nextInt(4); k++) {
                m[r.nextInt(m.length)] = (byte) r.nextInt(256);
            }
            Path p = write("fuzz.gguf", m);
            try (GgufFile f = GgufFile.open(p)) {
                GgufModelCheck.problems(f);
            } catch (GgufException expected) {
                // fine: a clear refusal
            }
        }
    }

    @Test
    void modelCheckCatchesALyingBlockCount() throws Exception {
        Path p = dir.resolve("liar.gguf");
        new GgufWriter().putString("general.architecture", "llama")
                .putUInt32("llama.block_count", 1000)
                .putUInt32("llama.embedding_length", 4)
                .putUInt32("llama.context_length", 16)
                .putUInt32("llama.attention.head_count", 2)
                .putStrings("tokenizer.ggml.tokens", List.of("a", "b"))
                .addTensor("token_embd.weight", new float[8], 4, 2)
                .addTensor("blk.0.attn_norm.weight", new float[4], 4)
                .write(p);
        try (GgufFile f = GgufFile.open(p)) {
            List<String> problems = GgufModelCheck.problems(f);
            assertEquals(List.of("llama.block_count = 1000 exceeds llama.cpp's limit of 512 layers"), problems);
        }
        Path q = dir.resolve("liar2.gguf");
        new GgufWriter().putString("general.architecture", "llama")
                .putUInt32("llama.block_count", 7)
                .putUInt32("llama.embedding_length", 4)
                .putUInt32("llama.context_length", 16)
                .putUInt32("llama.attention.head_count", 2)
                .putUInt32("llama.attention.head_count_kv", 3)
                .putStrings("tokenizer.ggml.tokens", List.of("a", "b"))
                .putUInt32("tokenizer.ggml.bos_token_id", 9)
                .addTensor("token_embd.weight", new float[8], 4, 2)
                .addTensor("blk.0.attn_norm.weight", new float[4], 4)
                .write(q);
        try (GgufFile f = GgufFile.open(q)) {
            assertEquals(List.of("tokenizer.ggml.bos_token_id = 9 is outside the vocabulary of 2 tokens",
                    "llama.block_count = 7 but the file has tensors for only 1 blocks (blk.0 .. blk.0)",
                    "llama.attention.head_count_kv = 3 must divide head_count = 2"), GgufModelCheck.problems(f));
        }
    }
}
