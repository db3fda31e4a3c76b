package io.gptlens.core.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ModelAnatomyTest {

    @TempDir
    Path dir;

    @Test
    void groupsAndFormulasOfATwoLayerModel() throws Exception {
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama").putUInt32("llama.block_count", 2);
        w.addTensor("token_embd.weight", new float[8 * 10], 8, 10);
        w.addTensor("output_norm.weight", new float[8], 8);
        for (int l = 0; l < 2; l++) {
            w.addTensor("blk." + l + ".attn_norm.weight", new float[8], 8);
            w.addTensor("blk." + l + ".attn_q.weight", new float[64], 8, 8);
            w.addTensor("blk." + l + ".attn_k.weight", new float[32], 8, 4);
            w.addTensor("blk." + l + ".ffn_up.weight", new float[128], 8, 16);
        }
        Path p = dir.resolve("m.gguf");
        w.write(p);
        try (GgufFile f = GgufFile.open(p)) {
            List<ModelAnatomy.Group> g = ModelAnatomy.groups(f);
            assertEquals(List.of("Embedding", "Unembedding", "Attention", "MLP", "Norms", "Total"), g.stream().map(ModelAnatomy.Group::name).toList());
            assertEquals("d_embd × n_vocab = 8 × 10 = 80", g.get(0).formula());
            assertEquals("tied: W_U = W_E (no separate output.weight)", g.get(1).formula());
            assertEquals(0, g.get(1).params());
            assertEquals("n_layer × (attn_q 64 + attn_k 32) = 2 × 96 = 192", g.get(2).formula());
            assertEquals(256, g.get(3).params());
            assertEquals("n_layer × (attn_norm 8) = 2 × 8 + 8 = 24", g.get(4).formula());
            assertEquals(80 + 192 + 256 + 24, g.get(5).params());
            assertEquals("F32", ModelAnatomy.quantization(f));
            assertEquals("617,558,016", ModelAnatomy.n(617_558_016));
        }
    }
}
