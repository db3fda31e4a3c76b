package io.gptlens.web.models.builtin;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.gptlens.core.embedding.Vectors;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import io.gptlens.llamacpp.LlamaBackend;
import io.gptlens.llamacpp.LlamaModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ONNX → GGUF conversion of all-MiniLM-L6-v2 is right: llama.cpp loads the GGUF and its mean-pooled
 * sentence embeddings agree with the same model run by ONNX Runtime (langchain4j) to cosine ≥ 0.999.
 */
class MiniLmImporterTest {

    static final List<String> SENTENCES = List.of(
            "The king and the queen ruled the land.",
            "A man walked his dog in the park.",
            "Quantum computers use qubits instead of bits.",
            "I love eating fresh strawberries in summer.",
            "The stock market fell sharply on Monday.",
            "She plays the violin beautifully.",
            "Paris is the capital of France.",
            "Photosynthesis converts light into chemical energy.",
            "The cat sat on the mat.",
            "How do I reset my password?",
            "Rain is expected throughout the weekend.",
            "He scored the winning goal in the final minute.",
            "Neural networks learn from data.",
            "The museum opens at nine in the morning.",
            "Can you recommend a good book about history?",
            "Volcanoes erupt when pressure builds up underground.",
            "My grandmother bakes the best apple pie.",
            "The train to Berlin was delayed by two hours.",
            "Mathematics is the language of the universe.",
            "Don't forget to water the plants!",
            "A quick brown fox jumps over the lazy dog.",
            "Electric cars are becoming more affordable.",
            "x",
            "Ünïcödé wörds and 数字 123 mixed together.");

    @TempDir
    static Path dir;
    static LlamaModel model;

    @BeforeAll
    static void convertAndLoad() throws Exception {
        assertTrue(MiniLmImporter.available());
        Path gguf = dir.resolve("all-minilm-l6-v2.gguf");
        MiniLmImporter.convert(gguf);
        model = (LlamaModel) new LlamaBackend().load(gguf, LoadOptions.defaults(), null);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    static float[] embed(Model m, String text) {
        int[] tokens = m.tokenizer().encode(text, true, false);
        try (Session s = m.newSession(SessionOptions.defaults().withContextLength(512).withEmbeddings(true))) {
            s.evaluate(Batch.allOutputs(tokens, 0, 0));
            return s.sequenceEmbedding(0);
        }
    }

    @Test
    void llamaCppReadsTheConvertedModel() {
        var i = model.info();
        assertEquals("bert", i.architecture());
        assertEquals(6, i.layers());
        assertEquals(384, i.embeddingLength());
        assertEquals(30522, i.vocabularySize());
        assertEquals(12, i.heads());
        assertTrue(model.kind() == io.gptlens.core.model.Model.Kind.EMBEDDER);
        assertFalse(model.canGenerate());
        // word pieces as BERT cuts them, with [CLS] and [SEP]
        assertArrayEquals(new int[]{101, 7592, 2088, 102}, model.tokenizer().encode("hello world", true, false));
        assertEquals(384, model.embeddingRow(7592).length);
    }

    @Test
    void sentenceEmbeddingsAgreeWithOnnxRuntime() {
        AllMiniLmL6V2EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel();
        double worst = 1;
        for (String s : SENTENCES) {
            float[] ours = embed(model, s);
            float[] theirs = reference.embed(s).content().vector();
            double cos = Vectors.cosine(ours, theirs);
            worst = Math.min(worst, cos);
            assertTrue(cos >= 0.999, "cosine " + cos + " for '" + s + "'");
        }
        System.out.printf("all-MiniLM-L6-v2: worst cosine over %d sentences: %.6f%n", SENTENCES.size(), worst);
    }
}
