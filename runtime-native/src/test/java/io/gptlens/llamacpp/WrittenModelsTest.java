package io.gptlens.llamacpp;

import io.gptlens.core.gguf.GgmlType;
import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.generation.GenerationRequest;
import io.gptlens.core.generation.Generator;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.core.sampling.GreedyPicker;
import io.gptlens.core.sampling.SamplerChain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models written by GgufWriter (random weights), then quantized by llama.cpp, load and generate. */
class WrittenModelsTest {

    @TempDir
    static Path dir;
    static Path f32;

    @BeforeAll
    static void write() throws Exception {
        f32 = dir.resolve("random-f32.gguf");
        TestFiles.randomLlama(TestFiles.stories(), f32, 256, 512, 4, 2, 42);
    }

    private static String generate(Path file) throws Exception {
        try (Model m = new LlamaBackend().load(file, LoadOptions.defaults(), null);
             Session s = m.newSession(SessionOptions.defaults().withContextLength(64));
             SamplerChain chain = new SamplerChain(List.of(), new GreedyPicker())) {
            assertEquals(256, m.info().embeddingLength());
            assertEquals(2, m.info().layers());
            var done = new Generator(s, m.tokenizer()).generate(GenerationRequest.of("Once upon a time", 12), chain, e -> { });
            assertEquals(12, done.tokens().length);
            return done.text();
        }
    }

    @Test
    void f32Q8AndQ4KModelsGenerate() throws Exception {
        String a = generate(f32);
        Path q8 = dir.resolve("random-q8_0.gguf");
        LlamaQuantizer.quantize(f32, q8, LlamaQuantizer.FileType.Q8_0, 2);
        Path q4 = dir.resolve("random-q4_k.gguf");
        LlamaQuantizer.quantize(f32, q4, LlamaQuantizer.FileType.Q4_K_M, 2);
        try (GgufFile g = GgufFile.open(q8)) {
            assertEquals(GgmlType.Q8_0, g.tensor("blk.0.attn_q.weight").orElseThrow().type());
        }
        try (GgufFile g = GgufFile.open(q4)) {
            assertTrue(g.tensors().values().stream().anyMatch(t -> t.type() == GgmlType.Q4_K), "some tensor is Q4_K");
        }
        String b = generate(q8);
        String c = generate(q4);
        assertTrue(!a.isEmpty() && !b.isEmpty() && !c.isEmpty());
    }

    @Test
    void quantizedRowsDequantizeThroughGgmlCloseToTheOriginal() throws Exception {
        Path q4 = dir.resolve("rows-q4_k.gguf");
        LlamaQuantizer.quantize(f32, q4, LlamaQuantizer.FileType.Q4_K_M, 2);
        try (Model orig = new LlamaBackend().load(f32, LoadOptions.defaults(), null);
             Model quant = new LlamaBackend().load(q4, LoadOptions.defaults(), null);
             GgufFile g = GgufFile.open(q4)) {
            GgmlType t = g.tensor("token_embd.weight").orElseThrow().type();
            assertTrue(t != GgmlType.F32, "embedding quantized, is " + t);
            float[] a = orig.embeddingRow(100);
            float[] b = quant.embeddingRow(100);
            double err = 0;
            double norm = 0;
            for (int i = 0; i < a.length; i++) {
                err += (a[i] - b[i]) * (a[i] - b[i]);
                norm += a[i] * a[i];
            }
            assertTrue(Math.sqrt(err / norm) < 0.1, "relative error " + Math.sqrt(err / norm) + " for " + t);
            assertTrue(!orig.tiedEmbeddings());
        }
    }
}
