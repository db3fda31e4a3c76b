package io.gptlens.web.explorer;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.Key;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.shared.Registration;
import io.gptlens.web.explorer.index.EmbeddingIndex;

/**
 * The explorer's question: the search box, the score, k, Neighbours and the filter chips
 * ({@link FilterChips}). Fires {@link Asked} on Enter, on Neighbours, on {@link #ask(String)}, and
 * when a chip is switched while the box holds a query; the view decides what the answer is.
 */
public class QueryBar extends VerticalLayout {

    /** The query {@link #query()} is to be answered. */
    public static class Asked extends ComponentEvent<QueryBar> {
        private final String query;

        Asked(QueryBar source, String query) {
            super(source, true);
            this.query = query;
        }

        public String query() {
            return query;
        }
    }

    private final TextField query = new TextField("Word, #token-id, king - man + woman, or cos(a, b)");
    private final Select<EmbeddingIndex.Metric> metric = new Select<>();
    private final IntegerField k = new IntegerField("k");
    private final Button go = new Button("Neighbours");
    private final FilterChips filters = new FilterChips();

    public QueryBar() {
        setPadding(false);
        query.setId("neighbor-query");
        query.setWidth("30em");
        metric.setId("metric");
        metric.setLabel("Score");
        metric.setItems(EmbeddingIndex.Metric.values());
        metric.setItemLabelGenerator(m -> m == EmbeddingIndex.Metric.COSINE ? "cosine" : "dot product");
        metric.setValue(EmbeddingIndex.Metric.COSINE);
        k.setId("k");
        k.setValue(10);
        k.setMin(1);
        k.setMax(100);
        go.setId("neighbors-go");
        go.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        go.addClickListener(e -> ask());
        query.addKeyPressListener(Key.ENTER, e -> ask());
        filters.addChangedListener(e -> {
            if (!query.isEmpty()) {
                ask();
            }
        });
        HorizontalLayout row = new HorizontalLayout(query, metric, k, go);
        row.setAlignItems(FlexComponent.Alignment.BASELINE);
        row.getStyle().set("flex-wrap", "wrap");
        add(row, filters);
    }

    private void ask() {
        fireEvent(new Asked(this, query.getValue()));
    }

    /** Puts {@code text} in the search box and asks it, as Enter would. */
    public void ask(String text) {
        query.setValue(text);
        fireEvent(new Asked(this, text));
    }

    /** Puts {@code text} in the search box (fires nothing). */
    public void setQuery(String text) {
        query.setValue(text);
    }

    /** Whether the search box is empty. */
    public boolean isEmpty() {
        return query.isEmpty();
    }

    /** The chosen score. */
    public EmbeddingIndex.Metric metric() {
        return metric.getValue();
    }

    /** How many neighbours to show: the k field, kept within 1..100 (10 when empty). */
    public int k() {
        return k.getValue() == null ? 10 : Math.max(1, Math.min(100, k.getValue()));
    }

    /** The filter the chips describe. */
    public EmbeddingIndex.Filter filter() {
        return filters.filter();
    }

    public Registration addAskedListener(ComponentEventListener<Asked> l) {
        return addListener(Asked.class, l);
    }
}
