package io.gptlens.web.playground;

import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.textfield.NumberField;
import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.sampling.SamplerChains;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.llamacpp.LlamaBackend;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The playground's components and view models, tested without a server or a browser. */
class ViewLogicTest {

    static final NamedProviders<SamplerProvider> PROVIDERS = NamedProviders.load(SamplerProvider.class, ViewLogicTest.class.getClassLoader());

    /** logits ln(p) for p = 0.5, 0.25, 0.125, 0.0625, 0.0625 */
    static final float[] HALVES = {(float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.125), (float) Math.log(0.0625),
            (float) Math.log(0.0625)};

    @Test
    void distributionModelReshapesWithoutTheModel() {
        var plain = new DistributionModel(PROVIDERS, HALVES, SamplerChains.standard(1, 0, 1, 0, 1), 1);
        assertEquals(List.of(0, 1, 2, 3, 4), plain.top(10).stream().map(DistributionModel.Row::id).toList());
        assertEquals(0.5, plain.top(1).getFirst().modelP(), 1e-6);
        assertEquals(0.5, plain.top(1).getFirst().sampledP(), 1e-6);
        var greedy = new DistributionModel(PROVIDERS, HALVES, SamplerChains.standard(0, 0, 1, 0, 1), 1);
        assertEquals(1.0, greedy.top(1).getFirst().sampledP(), 1e-6);
        assertEquals(0.0, greedy.row(1).sampledP());
        assertEquals(0.25, greedy.row(1).modelP(), 1e-6);
        var hot = new DistributionModel(PROVIDERS, HALVES, SamplerChains.standard(5, 0, 1, 0, 1), 1);
        assertTrue(hot.top(1).getFirst().sampledP() < 0.3, "T = 5 flattens");
        var topP = new DistributionModel(PROVIDERS, HALVES, SamplerChains.standard(1, 0, 0.7, 0, 1), 1);
        assertEquals(2, topP.pipeline().getLast().ids().length);
        assertEquals(1.0, topP.sampledTotal(), 1e-6);
        assertEquals(4, topP.row(3).rank());
    }

    @Test
    void chainEditorBuildsSpecsFromItsForms() {
        ChainEditor editor = new ChainEditor(PROVIDERS);
        AtomicInteger changes = new AtomicInteger();
        editor.addChainChangedListener(e -> changes.incrementAndGet());
        assertTrue(editor.isEmpty());
        editor.addStage("top-k", Map.of("k", 7));
        editor.addStage("temperature", Map.of());
        editor.addStage("llama.dist", Map.of());
        assertEquals(List.of("top-k", "temperature", "llama.dist"), editor.stages().stream().map(StageSpec::name).toList());
        assertEquals(7L, editor.stages().getFirst().params().get("k"));
        assertEquals(1.0, editor.stages().get(1).params().get("t"));
        // the form's field changes the spec
        var stageRow = editor.getChildren().findFirst().orElseThrow().getChildren().toList().get(1);
        NumberField t = (NumberField) stageRow.getChildren().filter(c -> c instanceof NumberField).findFirst().orElseThrow();
        t.setValue(0.5);
        assertEquals(0.5, editor.stages().get(1).params().get("t"));
        assertEquals(4, changes.get());
    }

    @Test
    void tokenStripShowsVisibleLabelsAndIds() throws Exception {
        Path vocab = Path.of(System.getProperty("gptlens.llama.source"), "models", "ggml-vocab-llama-spm.gguf");
        try (Model m = new LlamaBackend().load(vocab, LoadOptions.defaults().withVocabOnly(true), null)) {
            TokenStrip strip = new TokenStrip();
            int[] ids = m.tokenizer().encode("Hi\n<script>", true, false);
            strip.show(m.tokenizer(), ids);
            var chips = strip.getChildren().toList();
            assertEquals(ids.length, chips.size());
            assertEquals("<s>", ((Span) chips.getFirst().getChildren().findFirst().orElseThrow()).getText());
            String all = String.join("", chips.stream().map(c -> ((Span) c.getChildren().findFirst().orElseThrow()).getText()).toList());
            assertTrue(all.contains("<0x0A>") || all.contains("↵"), all);
            assertTrue(all.contains("<"), all); // text, escaped by Vaadin when rendered
            assertTrue(chips.getFirst().getElement().getAttribute("title").startsWith("id 1 · control · bytes"));
        }
    }

    @Test
    void colourGoesFromRedToGreen() {
        assertEquals("hsl(0, 75%, 82%)", OutputPanel.colour(0));
        assertEquals("hsl(120, 75%, 82%)", OutputPanel.colour(1));
        assertEquals("12.34 %", DistributionPanel.pct(0.12341));
    }
}
