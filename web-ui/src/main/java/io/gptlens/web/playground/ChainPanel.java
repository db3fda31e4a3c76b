package io.gptlens.web.playground;

import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.details.Details;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.shared.Registration;
import io.gptlens.core.sampling.ChainPreview;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.tokenizer.Tokenizer;

import java.util.List;
import java.util.Optional;

/**
 * The custom sampler chain, folded: the {@link ChainEditor}, whether llama.cpp runs the chain, and
 * the {@link PipelinePanel} of what each stage did. Fires the editor's {@link ChainEditor.ChainChanged}.
 */
public class ChainPanel extends Details {

    private final ChainEditor editor;
    private final Checkbox nativeChain = new Checkbox("Run the chain inside llama.cpp");
    private final PipelinePanel pipeline = new PipelinePanel();

    public ChainPanel(NamedProviders<SamplerProvider> providers) {
        super("Sampler chain (custom) and pipeline");
        editor = new ChainEditor(providers);
        nativeChain.setId("native-chain");
        nativeChain.setTooltipText("llama.cpp runs the whole chain as one llama_sampler_chain; its own stages (llama.*) run in C and every "
                + "Java stage, plugins included, is wrapped as a native llama_sampler that calls back into Java. Same seed, same tokens.");
        add(new VerticalLayout(editor, nativeChain, pipeline));
        setId("chain-details");
        setWidthFull();
    }

    /** The custom chain, when one is set. */
    public Optional<List<StageSpec>> custom() {
        return editor.isEmpty() ? Optional.empty() : Optional.of(editor.stages());
    }

    /** Whether llama.cpp is to run the chain. */
    public boolean runNatively() {
        return nativeChain.getValue();
    }

    /** The sampler plugins changed: offer the stages now available. */
    public void setProviders(NamedProviders<SamplerProvider> providers) {
        editor.setProviders(providers);
    }

    public void showPipeline(List<ChainPreview.Snapshot> snapshots, Tokenizer t) {
        pipeline.show(snapshots, t);
    }

    public Registration addChainChangedListener(ComponentEventListener<ChainEditor.ChainChanged> l) {
        return editor.addChainChangedListener(l);
    }
}
