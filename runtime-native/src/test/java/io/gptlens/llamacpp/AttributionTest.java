package io.gptlens.llamacpp;

import io.gptlens.core.model.Attribution;
import io.gptlens.core.model.Batch;
import io.gptlens.core.model.Internals;
import io.gptlens.core.model.Session;
import io.gptlens.core.model.SessionOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Direct logit attribution on stories260K: the residual before the first block, after each
 * attention and after each layer, captured through llama.cpp's eval callback, decompose the final
 * residual exactly; through the final RMS norm (no bias) and W_U the parts sum to the model's own
 * logit, so the remainder is rounding only.
 */
class AttributionTest extends StoriesTestBase {

    @Test
    void theEmbeddingAndEveryLayersAttentionAndMlpSumToTheModelsLogit() {
        for (String prompt : new String[]{"Once upon a time", "Lily and Tom went to the park. Lily saw a big"}) {
            int[] tokens = model.tokenizer().encode(prompt, true, false);
            int last = tokens.length - 1;
            Internals in = model.internals(tokens, Internals.Capture.componentsAt(last));
            float[] logits;
            try (Session s = model.newSession(SessionOptions.defaults().withContextLength(64))) {
                s.evaluate(Batch.of(tokens, 0, 0));
                logits = s.logits(-1);
            }
            // the residual before the first block is the last token's row of W_E (llama scales nothing)
            assertArrayEquals(model.embeddings().row(tokens[last]), in.embedding()[last], 1e-6f);
            List<float[]> mid = new ArrayList<>();
            List<float[]> out = new ArrayList<>();
            for (int l = 0; l < model.info().layers(); l++) {
                mid.add(in.afterAttention().get(l)[last]);
                out.add(in.residual().get(l)[last]);
            }
            int top = 0;
            for (int t = 1; t < logits.length; t++) {
                top = logits[t] > logits[top] ? t : top;
            }
            for (int token : new int[]{top, 13, 400}) {
                Attribution a = Attribution.of(token, in.embedding()[last], mid, out, model.finalNorm().orElseThrow(), model.unembeddingRow(token),
                        logits[token]);
                double sum = a.embedding();
                for (int l = 0; l < model.info().layers(); l++) {
                    sum += a.attention()[l] + a.mlp()[l];
                }
                assertEquals(logits[token], sum + a.remainder(), 1e-9);
                assertTrue(Math.abs(a.remainder()) < 1e-3, "the parts are the whole logit up to rounding: remainder " + a.remainder()
                        + " of " + logits[token] + " for token " + token + " after '" + prompt + "'");
                assertTrue(java.util.Arrays.stream(a.attention()).anyMatch(x -> Math.abs(x) > 1e-3), "attention contributes something");
            }
        }
    }
}
