package io.gptlens.llamacpp;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufValue;
import io.gptlens.core.gguf.GgufWriter;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/** Where tests find their files, and a builder of random llama models. */
public final class TestFiles {

    private TestFiles() {
    }

    /** The shared tiny llama model, or a skip (a failure under CI) with where it was looked for. */
    public static Path stories() {
        Path p = Path.of(System.getProperty("gptlens.shared.dir", "../shared"), "models", "stories260K.gguf").toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            String msg = "stories260K.gguf not found at " + p + "; put the shared folder beside the repository or set -Dgptlens.shared.dir";
            if ("true".equals(System.getenv("CI"))) {
                fail(msg);
            }
            Assumptions.abort(msg);
        }
        return p;
    }

    /** llama.cpp's unpacked headers and vocabularies (fetched by the build). */
    public static Path llamaSource() {
        Path p = Path.of(System.getProperty("gptlens.llama.source", ""));
        if (!Files.isDirectory(p.resolve("include"))) {
            fail("llama.cpp source not found at " + p + " (the build fetches it with runtime-native/src/build/fetch-llama.sh source)");
        }
        return p;
    }

    /**
     * Writes a llama-architecture model with random F32 weights, taking its vocabulary from
     * {@code vocabFrom} (all {@code tokenizer.*} keys).
     */
    public static void randomLlama(Path vocabFrom, Path out, int nEmbd, int nFf, int nHead, int nLayer, long seed) throws Exception {
        GgufWriter w = new GgufWriter();
        int nVocab;
        try (GgufFile src = GgufFile.open(vocabFrom)) {
            w.putString("general.architecture", "llama").putString("general.name", "random-llama");
            w.putUInt32("llama.context_length", 256);
            w.putUInt32("llama.embedding_length", nEmbd);
            w.putUInt32("llama.block_count", nLayer);
            w.putUInt32("llama.feed_forward_length", nFf);
            w.putUInt32("llama.attention.head_count", nHead);
            w.putUInt32("llama.attention.head_count_kv", nHead);
            w.putUInt32("llama.rope.dimension_count", nEmbd / nHead);
            w.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
            for (var e : src.metadata().entrySet()) {
                if (e.getKey().startsWith("tokenizer.")) {
                    w.put(e.getKey(), e.getValue());
                }
            }
            nVocab = ((GgufValue.StrArray) src.get("tokenizer.ggml.tokens").orElseThrow()).values().size();
        }
        Random r = new Random(seed);
        w.addTensor("token_embd.weight", random(r, nEmbd * nVocab, 0.5f), nEmbd, nVocab);
        w.addTensor("output_norm.weight", ones(nEmbd), nEmbd);
        w.addTensor("output.weight", random(r, nEmbd * nVocab, 0.1f), nEmbd, nVocab);
        for (int l = 0; l < nLayer; l++) {
            String b = "blk." + l + ".";
            w.addTensor(b + "attn_norm.weight", ones(nEmbd), nEmbd);
            w.addTensor(b + "attn_q.weight", random(r, nEmbd * nEmbd, 0.05f), nEmbd, nEmbd);
            w.addTensor(b + "attn_k.weight", random(r, nEmbd * nEmbd, 0.05f), nEmbd, nEmbd);
            w.addTensor(b + "attn_v.weight", random(r, nEmbd * nEmbd, 0.05f), nEmbd, nEmbd);
            w.addTensor(b + "attn_output.weight", random(r, nEmbd * nEmbd, 0.05f), nEmbd, nEmbd);
            w.addTensor(b + "ffn_norm.weight", ones(nEmbd), nEmbd);
            w.addTensor(b + "ffn_gate.weight", random(r, nEmbd * nFf, 0.05f), nEmbd, nFf);
            w.addTensor(b + "ffn_up.weight", random(r, nEmbd * nFf, 0.05f), nEmbd, nFf);
            w.addTensor(b + "ffn_down.weight", random(r, nFf * nEmbd, 0.05f), nFf, nEmbd);
        }
        w.write(out);
    }

    /** Copies {@code in} with every 2-D F32 weight stored as F64: valid GGUF that ggml cannot multiply. */
    public static void withF64Weights(Path in, Path out) throws java.io.IOException {
        GgufWriter w = new GgufWriter();
        try (GgufFile f = GgufFile.open(in)) {
            f.metadata().forEach(w::put);
            for (var t : f.tensors().values()) {
                if (t.shape().length == 2 && t.type() == io.gptlens.core.gguf.GgmlType.F32) {
                    float[] v = f.tensorData(t).toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    for (float x : v) {
                        b.putDouble(x);
                    }
                    w.addTensor(t.name(), io.gptlens.core.gguf.GgmlType.F64, b.array(), t.shape());
                } else {
                    w.addTensor(t.name(), t.type(), f.tensorData(t).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.shape());
                }
            }
        }
        w.write(out);
    }

    /** The models a benchmark measures: stories260K, then those in {@code -Dmodels=PATH[,PATH]}. */
    public static java.util.List<Path> benchModels() {
        java.util.List<Path> models = new java.util.ArrayList<>();
        models.add(stories());
        for (String p : System.getProperty("models", "").split(",")) {
            if (!p.isBlank()) {
                models.add(Path.of(p.trim()));
            }
        }
        return models;
    }

    private static float[] random(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }
}
