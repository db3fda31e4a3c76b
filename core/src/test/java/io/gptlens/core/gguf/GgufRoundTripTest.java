package io.gptlens.core.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GgufRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void everyValueTypeAndTensorsSurviveARoundTrip() throws Exception {
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .put("u8", new GgufValue.Int(GgufValueType.UINT8, 255))
                .put("i8", new GgufValue.Int(GgufValueType.INT8, -128))
                .put("u16", new GgufValue.Int(GgufValueType.UINT16, 65535))
                .put("i16", new GgufValue.Int(GgufValueType.INT16, -32768))
                .put("u32", new GgufValue.Int(GgufValueType.UINT32, 0xFFFFFFFFL))
                .put("i32", new GgufValue.Int(GgufValueType.INT32, Integer.MIN_VALUE))
                .put("u64", new GgufValue.Int(GgufValueType.UINT64, -1L))
                .put("i64", new GgufValue.Int(GgufValueType.INT64, Long.MIN_VALUE))
                .put("f32", new GgufValue.Float(GgufValueType.FLOAT32, 1.5))
                .put("f64", new GgufValue.Float(GgufValueType.FLOAT64, Math.PI))
                .putBool("bool", true)
                .putString("str", "héllo 🦙")
                .putStrings("strs", List.of("a", "", "ü"))
                .putFloats("floats", new float[]{1, -2.5f})
                .putInts("ints", new int[]{7, -7})
                .put("bools", new GgufValue.IntArray(GgufValueType.BOOL, new long[]{1, 0}))
                .put("nested", new GgufValue.NestedArray(List.of(new GgufValue.StrArray(List.of("x")))))
                .putUInt32("general.alignment", 64)
                .addTensor("a", new float[]{1, 2, 3, 4, 5, 6}, 3, 2)
                .addTensor("b", new float[]{7}, 1);
        Path p = dir.resolve("all.gguf");
        w.write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(3, f.version());
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals("llama", f.architecture());
            assertEquals(255, f.get("u8").orElseThrow().asLong());
            assertEquals(-128, f.get("i8").orElseThrow().asLong());
            assertEquals(65535, f.get("u16").orElseThrow().asLong());
            assertEquals(-32768, f.get("i16").orElseThrow().asLong());
            assertEquals(0xFFFFFFFFL, f.get("u32").orElseThrow().asLong());
            assertEquals(Integer.MIN_VALUE, f.get("i32").orElseThrow().asLong());
            assertEquals("18446744073709551615", f.get("u64").orElseThrow().display());
            assertEquals(Long.MIN_VALUE, f.get("i64").orElseThrow().asLong());
            assertEquals(1.5, f.get("f32").orElseThrow().asDouble());
            assertEquals(Math.PI, f.get("f64").orElseThrow().asDouble());
            assertEquals(new GgufValue.Bool(true), f.get("bool").orElseThrow());
            assertEquals("héllo 🦙", f.getString("str").orElseThrow());
            assertEquals(new GgufValue.StrArray(List.of("a", "", "ü")), f.get("strs").orElseThrow());
            assertArrayEquals(new double[]{1, -2.5}, ((GgufValue.FloatArray) f.get("floats").orElseThrow()).values());
            assertArrayEquals(new long[]{7, -7}, ((GgufValue.IntArray) f.get("ints").orElseThrow()).values());
            assertArrayEquals(new long[]{1, 0}, ((GgufValue.IntArray) f.get("bools").orElseThrow()).values());
            assertEquals(new GgufValue.NestedArray(List.of(new GgufValue.StrArray(List.of("x")))), f.get("nested").orElseThrow());
            TensorInfo a = f.tensor("a").orElseThrow();
            assertArrayEquals(new long[]{3, 2}, a.shape());
            assertEquals(GgmlType.F32, a.type());
            assertArrayEquals(new float[]{1, 2, 3}, f.row(a, 0));
            assertArrayEquals(new float[]{4, 5, 6}, f.row(a, 1));
            TensorInfo b = f.tensor("b").orElseThrow();
            assertEquals(0, b.offset() % 64);
            assertArrayEquals(new float[]{7}, f.row(b, 0));
            assertEquals(List.of("a", "b"), List.copyOf(f.tensors().keySet()));
        }
    }

    @Test
    void closedFileRefusesDataAccess() throws Exception {
        Path p = dir.resolve("t.gguf");
        new GgufWriter().putString("general.architecture", "x").addTensor("t", new float[]{1}, 1).write(p);
        GgufFile f = GgufFile.open(p);
        TensorInfo t = f.tensor("t").orElseThrow();
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, () -> f.tensorData(t));
    }

    @Test
    void q8AndQ4DequantizeToKnownValues() throws Exception {
        float[] x = new float[64];
        for (int i = 0; i < 64; i++) {
            x[i] = (i - 32) / 8f;
        }
        byte[] q8 = Dequantizer.quantizeQ8_0(x);
        // Q4_0 block by hand: d = 0.5, nibbles 0..15 -> (n - 8) * 0.5
        byte[] q4 = new byte[18];
        short d = Float.floatToFloat16(0.5f);
        q4[0] = (byte) d;
        q4[1] = (byte) (d >> 8);
        for (int i = 0; i < 16; i++) {
            q4[2 + i] = (byte) ((i & 0xF) | ((15 - i) << 4));
        }
        Path p = dir.resolve("q.gguf");
        new GgufWriter().putString("general.architecture", "x")
                .addTensor("q8", GgmlType.Q8_0, q8, 64)
                .addTensor("q4", GgmlType.Q4_0, q4, 32)
                .write(p);
        try (GgufFile f = GgufFile.open(p)) {
            float[] back = f.row(f.tensor("q8").orElseThrow(), 0);
            for (int i = 0; i < 64; i++) {
                assertEquals(x[i], back[i], 4.0 / 127 / 2 + 1e-3, "element " + i);
            }
            float[] q = f.row(f.tensor("q4").orElseThrow(), 0);
            for (int i = 0; i < 16; i++) {
                assertEquals((i - 8) * 0.5f, q[i]);
                assertEquals((15 - i - 8) * 0.5f, q[i + 16]);
            }
        }
    }

    @Test
    void halfAndBfloatDecode() {
        var seg = java.lang.foreign.MemorySegment.ofArray(new byte[]{0x00, 0x3C, 0x00, (byte) 0xC0}); // F16 1.0, -2.0
        float[] out = new float[2];
        Dequantizer.dequantize(GgmlType.F16, seg, out);
        assertArrayEquals(new float[]{1f, -2f}, out);
        var bf = java.lang.foreign.MemorySegment.ofArray(new byte[]{(byte) 0x80, 0x3F, 0x40, 0x40}); // BF16 1.0, 3.0
        Dequantizer.dequantize(GgmlType.BF16, bf, out);
        assertArrayEquals(new float[]{1f, 3f}, out);
        assertThrows(UnsupportedOperationException.class, () -> Dequantizer.dequantize(GgmlType.Q4_K,
                java.lang.foreign.MemorySegment.ofArray(new byte[144]), new float[256]));
    }
}
