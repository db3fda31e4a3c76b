package io.gptlens.web.playground;

import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;
import io.gptlens.core.tokenizer.Tokenizer;

import java.util.Locale;

/** "Probability of a token": any token, by id or exact text, in the distribution shown, with its rank and logit. */
public class ProbePanel extends VerticalLayout {

    private final TextField probe = new TextField("Probability of a token");
    private final Span result = new Span();
    private DistributionModel model;
    private Tokenizer tokenizer;

    public ProbePanel() {
        probe.setId("probe");
        probe.setValueChangeMode(ValueChangeMode.LAZY);
        probe.setHelperText("a token id or its exact text");
        probe.addValueChangeListener(e -> refresh());
        result.setId("probe-result");
        add(probe, result);
        setPadding(false);
    }

    /** Answers the probe from {@code m} from now on. */
    public void show(DistributionModel m, Tokenizer t) {
        this.model = m;
        this.tokenizer = t;
        refresh();
    }

    private void refresh() {
        String q = probe.getValue() == null ? "" : probe.getValue();
        if (q.isEmpty() || model == null) {
            result.setText("");
            return;
        }
        int id;
        try {
            id = Integer.parseInt(q.trim());
        } catch (NumberFormatException e) {
            java.util.OptionalInt one = tokenizer.tokenOf(q);
            if (one.isEmpty()) {
                result.setText("'" + q + "' is " + tokenizer.encode(q, false, false).length + " tokens, not one; try a token id");
                return;
            }
            id = one.getAsInt();
        }
        if (id < 0 || id >= tokenizer.vocabularySize()) {
            result.setText("No token " + id);
            return;
        }
        DistributionModel.Row r = model.row(id);
        result.setText("token " + id + ": p = " + String.format(Locale.ROOT, "%.6f", r.modelP()) + " (" + DistributionPanel.pct(r.modelP())
                + "), rank " + r.rank() + " of " + tokenizer.vocabularySize() + ", logit " + String.format(Locale.ROOT, "%.3f", r.logit())
                + ", after samplers " + DistributionPanel.pct(r.sampledP()));
    }
}
