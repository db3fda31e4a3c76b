package io.gptlens.web.explorer;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.details.Details;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.shared.Registration;
import io.gptlens.core.embedding.Vectors;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.web.explorer.ExplorerService.Matrix;
import io.gptlens.web.explorer.ExplorerService.Result;
import io.gptlens.web.explorer.index.EmbeddingIndex;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelException;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The explorer's further tools, folded below the workspace: a direction (the tokens that project
 * most and least on {@code to − from}) and finding tokens by their text. A token clicked in the
 * text search fires {@link TokenPicked}.
 */
public class ExplorerTools extends Details {

    /** What the tools work on: the page's model, matrix, k and filters. Null model: none chosen. */
    public record Scope(LoadedModel model, Matrix matrix, int k, EmbeddingIndex.Filter filter) {
    }

    /** A person picked token {@code id} to explore. */
    public static class TokenPicked extends ComponentEvent<ExplorerTools> {
        private final int id;

        TokenPicked(ExplorerTools source, int id) {
            super(source, true);
            this.id = id;
        }

        public int id() {
            return id;
        }
    }

    private final ExplorerService explorer;
    private final Supplier<Scope> scope;
    private final TextField dirFrom = new TextField("from");
    private final TextField dirTo = new TextField("to");
    private final Div dirResult = new Div();
    private final TextField search = new TextField("Find tokens by text");
    private final Checkbox substring = new Checkbox("substring (else prefix)");
    private final Div searchResult = new Div();

    public ExplorerTools(ExplorerService explorer, Supplier<Scope> scope) {
        super("More: a direction between two words, tokens by their text");
        this.explorer = explorer;
        this.scope = scope;
        setId("explorer-tools");
        dirFrom.setId("direction-from");
        dirTo.setId("direction-to");
        Button dirGo = new Button("Direction to − from", e -> direction());
        dirGo.setId("direction-go");
        dirResult.setId("direction-results");
        search.setId("token-search");
        search.addValueChangeListener(e -> search());
        substring.addValueChangeListener(e -> search());
        searchResult.setId("token-search-results");
        add(new VerticalLayout(row(dirFrom, dirTo, dirGo), dirResult, row(search, substring), searchResult));
        setWidthFull();
    }

    private static HorizontalLayout row(com.vaadin.flow.component.Component... cs) {
        HorizontalLayout r = new HorizontalLayout(cs);
        r.setAlignItems(FlexComponent.Alignment.BASELINE);
        r.getStyle().set("flex-wrap", "wrap");
        return r;
    }

    private void direction() {
        Scope s = scope.get();
        if (s.model() == null) {
            return;
        }
        dirResult.removeAll();
        try {
            ExplorerService.Word from = explorer.word(s.model(), s.matrix(), dirFrom.getValue());
            ExplorerService.Word to = explorer.word(s.model(), s.matrix(), dirTo.getValue());
            float[] d = Vectors.normalize(Vectors.combine(new float[][]{to.vector(), from.vector()}, new double[]{1, -1}));
            float[] neg = Vectors.combine(new float[][]{d}, new double[]{-1});
            var ex = ExplorerService.union(from.ids(), to.ids());
            List<Result> most = explorer.nearest(s.model(), s.matrix(), d, s.k(), EmbeddingIndex.Metric.DOT, s.filter(), ex).results();
            List<Result> least = explorer.nearest(s.model(), s.matrix(), neg, s.k(), EmbeddingIndex.Metric.DOT, s.filter(), ex).results();
            dirResult.add(new Div(new Span("Most along " + to.text() + " − " + from.text() + ": "
                    + String.join(", ", most.stream().map(r -> r.piece().strip() + String.format(Locale.ROOT, " (%.3f)", r.score())).toList()))));
            dirResult.add(new Div(new Span("Least: "
                    + String.join(", ", least.stream().map(r -> r.piece().strip() + String.format(Locale.ROOT, " (%.3f)", -r.score())).toList()))));
        } catch (ModelException | IllegalArgumentException ex) {
            dirResult.add(new Span(ex.getMessage()));
        }
    }

    private void search() {
        Scope s = scope.get();
        searchResult.removeAll();
        if (s.model() == null || search.getValue().isBlank()) {
            return;
        }
        try {
            List<Result> rs = explorer.find(s.model(), s.matrix(), search.getValue(), substring.getValue(), 50);
            for (Result r : rs) {
                Button chip = new Button(TokenDisplay.visible(r.piece()) + " #" + r.id(), e -> fireEvent(new TokenPicked(this, r.id())));
                chip.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_TERTIARY);
                searchResult.add(chip);
            }
            if (rs.isEmpty()) {
                searchResult.add(new Span("No token matches."));
            }
        } catch (ModelException ex) {
            searchResult.add(new Span(ex.getMessage()));
        }
    }

    public Registration addTokenPickedListener(ComponentEventListener<TokenPicked> l) {
        return addListener(TokenPicked.class, l);
    }
}
