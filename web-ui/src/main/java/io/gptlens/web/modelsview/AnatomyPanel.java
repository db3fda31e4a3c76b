package io.gptlens.web.modelsview;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.ModelAnatomy;
import io.gptlens.core.gguf.TensorInfo;
import io.gptlens.core.model.ModelInfo;
import io.gptlens.web.models.DownloadService;
import io.gptlens.web.models.LoadedModel;

import java.util.Arrays;
import java.util.List;

/** A model's anatomy: its facts, its parameter counts written out, W_E and W_U, and the table of its tensors. */
public class AnatomyPanel extends Div {

    public AnatomyPanel() {
        setId("anatomy");
        setWidthFull();
    }

    /** Shows {@code m}'s anatomy; a model without a GGUF file shows its facts only. */
    public void show(LoadedModel m) {
        removeAll();
        ModelInfo i = m.model().info();
        add(new H3("Anatomy of " + m.id()));
        Div facts = new Div();
        facts.setId("anatomy-facts");
        facts.add(line("Architecture", i.architecture()), line("Context length", ModelAnatomy.n(i.contextLength())),
                line("Embedding size d_embd", ModelAnatomy.n(i.embeddingLength())), line("Layers", Integer.toString(i.layers())),
                line("Attention heads", i.heads() + (i.headsKv() != i.heads() ? " (" + i.headsKv() + " key/value heads)" : "")),
                line("Vocabulary n_vocab", ModelAnatomy.n(i.vocabularySize())), line("Description", i.description()));
        add(facts);
        if (m.model().gguf().isEmpty()) {
            return;
        }
        GgufFile f = m.model().gguf().get();
        facts.add(line("Quantization", ModelAnatomy.quantization(f)));
        Div groups = new Div();
        groups.setId("anatomy-params");
        for (ModelAnatomy.Group g : ModelAnatomy.groups(f)) {
            groups.add(line(g.name(), g.formula()));
        }
        add(new H3("Parameters"), groups);
        String we = f.tensor("token_embd.weight").map(t -> "W_E: " + shape(t)).orElse("W_E: none");
        String wu = f.tensor("output.weight").map(t -> "W_U: " + shape(t)).orElse("W_U: tied to W_E (the same matrix, used transposed)");
        Div mats = new Div(new Div(we), new Div(wu));
        mats.setId("anatomy-matrices");
        add(mats);
        Grid<TensorInfo> tensors = new Grid<>();
        tensors.setId("tensors");
        tensors.addColumn(TensorInfo::name).setHeader("Tensor").setAutoWidth(true);
        tensors.addColumn(t -> Arrays.toString(t.shape())).setHeader("Shape (ggml order)").setAutoWidth(true);
        tensors.addColumn(TensorInfo::type).setHeader("Type").setAutoWidth(true);
        tensors.addColumn(t -> ModelAnatomy.n(t.elementCount())).setHeader("Parameters").setAutoWidth(true);
        tensors.addColumn(t -> DownloadService.size(t.byteSize())).setHeader("Bytes").setAutoWidth(true);
        tensors.setItems(List.copyOf(f.tensors().values()));
        tensors.setHeight("30em");
        add(new H3("Tensors"), tensors);
    }

    private static String shape(TensorInfo t) {
        long[] s = t.shape();
        return s.length == 2 ? ModelAnatomy.n(s[1]) + " rows (n_vocab) × " + ModelAnatomy.n(s[0]) + " columns (d_embd), " + t.type() : Arrays.toString(s);
    }

    private static Div line(String label, String value) {
        Span l = new Span(label + ": ");
        l.getStyle().set("font-weight", "600");
        return new Div(l, new Span(value));
    }
}
