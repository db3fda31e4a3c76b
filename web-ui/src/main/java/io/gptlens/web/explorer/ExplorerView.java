package io.gptlens.web.explorer;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.progressbar.ProgressBar;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.gptlens.core.embedding.Vectors;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.web.api.ApiException;
import io.gptlens.web.explorer.ExplorerService.Matrix;
import io.gptlens.web.explorer.ExplorerService.Result;
import io.gptlens.web.explorer.index.EmbeddingIndex;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.ui.MainLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The W_E explorer: nearest tokens, analogies (a − b + c), dot product and cosine between two
 * tokens, a direction and the tokens that project most and least on it, token search, and a PCA
 * scatter of the last result set. Thin over {@link ExplorerService}.
 */
@Route(value = "explorer", layout = MainLayout.class)
@PageTitle("Explorer · GPTLens")
public class ExplorerView extends VerticalLayout {

    private final ModelRegistry models;
    private final ExplorerService explorer;
    private final Select<String> model = new Select<>();
    private final Select<Matrix> matrix = new Select<>();
    private final Span indexStatus = new Span();
    private final ProgressBar indexProgress = new ProgressBar();
    private final TextField query = new TextField("Word or #token-id");
    private final Select<EmbeddingIndex.Metric> metric = new Select<>();
    private final IntegerField k = new IntegerField("k");
    private final Checkbox words = new Checkbox("whole words only");
    private final Checkbox alpha = new Checkbox("alphabetic only");
    private final Checkbox hideSpecial = new Checkbox("hide special and byte tokens");
    private final Button neighborsGo = new Button("Neighbours");
    private final Span queryNote = new Span();
    private final Grid<Result> neighbors = new Grid<>();
    private final TextField a = new TextField("a");
    private final TextField b = new TextField("b");
    private final TextField c = new TextField("c");
    private final Button analogyGo = new Button("a − b + c");
    private final Span analogyExpression = new Span();
    private final Grid<Result> analogy = new Grid<>();
    private final TextField simA = new TextField("token A");
    private final TextField simB = new TextField("token B");
    private final Button simGo = new Button("Compare");
    private final Span simResult = new Span();
    private final TextField dirFrom = new TextField("from");
    private final TextField dirTo = new TextField("to");
    private final Button dirGo = new Button("Direction to − from");
    private final Div dirResult = new Div();
    private final TextField search = new TextField("Find tokens by text");
    private final Checkbox substring = new Checkbox("substring (else prefix)");
    private final Div searchResult = new Div();
    private final ScatterPlot scatter = new ScatterPlot();
    private final Div rowStrip = new Div();
    private final Span playgroundP = new Span();
    private final Span message = new Span();

    public ExplorerView(ModelRegistry models, ExplorerService explorer) {
        this.models = models;
        this.explorer = explorer;
        configure();
        add(modelRow(), new H3("Nearest tokens"), neighborRow(), queryNote, neighbors, rowStrip, playgroundP,
                new H3("Analogy"), row(a, b, c, analogyGo), analogyExpression, analogy,
                new H3("Dot product and cosine"), row(simA, simB, simGo), simResult,
                new H3("A direction"), row(dirFrom, dirTo, dirGo), dirResult,
                new H3("Token search"), row(search, substring), searchResult,
                new H3("The last result set, projected on its two principal components (click a token)"), scatter, message);
    }

    private void configure() {
        model.setId("explorer-model");
        model.setLabel("Model");
        model.addValueChangeListener(e -> modelChanged());
        matrix.setId("explorer-matrix");
        matrix.setLabel("Matrix");
        matrix.setItemLabelGenerator(m -> m == Matrix.WE ? "W_E (embedding)" : "W_U (unembedding)");
        matrix.addValueChangeListener(e -> refreshStatus());
        indexStatus.setId("index-status");
        indexProgress.setId("index-progress");
        indexProgress.setWidth("20em");
        query.setId("neighbor-query");
        metric.setId("metric");
        metric.setLabel("Score");
        metric.setItems(EmbeddingIndex.Metric.values());
        metric.setItemLabelGenerator(m -> m == EmbeddingIndex.Metric.COSINE ? "cosine" : "dot product");
        metric.setValue(EmbeddingIndex.Metric.COSINE);
        k.setId("k");
        k.setValue(10);
        k.setMin(1);
        k.setMax(100);
        words.setId("filter-words");
        alpha.setId("filter-alpha");
        hideSpecial.setId("filter-special");
        neighborsGo.setId("neighbors-go");
        neighborsGo.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        neighborsGo.addClickListener(e -> neighbours(query.getValue()));
        query.addKeyPressListener(com.vaadin.flow.component.Key.ENTER, e -> neighbours(query.getValue()));
        queryNote.setId("query-note");
        configureGrid(neighbors, "neighbors-results");
        neighbors.addItemClickListener(e -> {
            query.setValue("#" + e.getItem().id());
            neighbours("#" + e.getItem().id());
        });
        a.setId("analogy-a");
        b.setId("analogy-b");
        c.setId("analogy-c");
        analogyGo.setId("analogy-go");
        analogyGo.addClickListener(e -> analogy());
        analogyExpression.setId("analogy-expression");
        configureGrid(analogy, "analogy-results");
        simA.setId("sim-a");
        simB.setId("sim-b");
        simGo.setId("sim-go");
        simGo.addClickListener(e -> similarity());
        simResult.setId("sim-result");
        dirFrom.setId("direction-from");
        dirTo.setId("direction-to");
        dirGo.setId("direction-go");
        dirGo.addClickListener(e -> direction());
        dirResult.setId("direction-results");
        search.setId("token-search");
        search.addValueChangeListener(e -> search());
        substring.addValueChangeListener(e -> search());
        searchResult.setId("token-search-results");
        scatter.addTokenClickedListener(e -> {
            query.setValue("#" + e.token());
            neighbours("#" + e.token());
        });
        rowStrip.setId("row-strip");
        playgroundP.setId("playground-probability");
        message.setId("explorer-message");
    }

    private static void configureGrid(Grid<Result> g, String id) {
        g.setId(id);
        g.addColumn(Result::id).setHeader("id").setAutoWidth(true);
        g.addColumn(r -> TokenDisplay.visible(r.piece())).setHeader("token").setAutoWidth(true);
        g.addColumn(r -> String.format(Locale.ROOT, "%.4f", r.score())).setHeader("score (exact)").setAutoWidth(true);
        g.setAllRowsVisible(true);
        g.setWidth("36em");
    }

    private HorizontalLayout modelRow() {
        HorizontalLayout r = row(model, matrix, indexStatus);
        r.add(indexProgress);
        return r;
    }

    private HorizontalLayout neighborRow() {
        return row(query, metric, k, words, alpha, hideSpecial, neighborsGo);
    }

    private static HorizontalLayout row(com.vaadin.flow.component.Component... cs) {
        HorizontalLayout r = new HorizontalLayout(cs);
        r.setAlignItems(FlexComponent.Alignment.BASELINE);
        r.getStyle().set("flex-wrap", "wrap");
        return r;
    }

    @Override
    protected void onAttach(AttachEvent e) {
        List<String> ids = models.all().stream().filter(m -> !m.model().info().vocabOnly()).map(LoadedModel::id).toList();
        model.setItems(ids);
        String wanted = e.getUI().getInternals().getActiveViewLocation().getQueryParameters().getSingleParameter("model").orElse(null);
        String preferred = wanted != null && ids.contains(wanted) ? wanted
                : ids.contains("all-minilm-l6-v2") ? "all-minilm-l6-v2" : ids.isEmpty() ? null : ids.getFirst();
        if (preferred != null) {
            model.setValue(preferred);
        } else {
            message.setText("No model with weights is loaded: load one on the Models page.");
        }
        e.getUI().setPollInterval(500);
        e.getUI().addPollListener(p -> refreshStatus());
    }

    @Override
    protected void onDetach(DetachEvent e) {
        e.getUI().setPollInterval(-1);
    }

    private LoadedModel current() {
        return model.getValue() == null ? null : models.get(model.getValue()).orElse(null);
    }

    private void modelChanged() {
        LoadedModel m = current();
        if (m == null) {
            return;
        }
        matrix.setItems(m.model().tiedEmbeddings() ? List.of(Matrix.WE) : List.of(Matrix.WE, Matrix.WU));
        matrix.setValue(Matrix.WE);
        boolean wordPiece = "bert".equals(m.model().info().metadata().get("tokenizer.ggml.model"));
        if (query.isEmpty()) {
            query.setValue(wordPiece ? "king" : "#" + Math.min(403, m.model().tokenizer().vocabularySize() - 1));
        }
        refreshStatus();
    }

    private void refreshStatus() {
        LoadedModel m = current();
        if (m == null || matrix.getValue() == null) {
            return;
        }
        try {
            ExplorerService.Status s = explorer.build(m, matrix.getValue());
            indexStatus.setText(s.describe());
            indexStatus.getElement().setAttribute("data-state", s.state());
            indexProgress.setVisible(!"ready".equals(s.state()));
            indexProgress.setValue(s.total() == 0 ? 0 : Math.min(1, s.rows() / (double) s.total()));
        } catch (ApiException ex) {
            indexStatus.setText(ex.getMessage());
        }
    }

    private EmbeddingIndex.Filter filter() {
        return new EmbeddingIndex.Filter(words.getValue(), alpha.getValue(), hideSpecial.getValue());
    }

    private int kValue() {
        return k.getValue() == null ? 10 : Math.max(1, Math.min(100, k.getValue()));
    }

    private void neighbours(String input) {
        LoadedModel m = current();
        if (m == null) {
            return;
        }
        try {
            ExplorerService.Word w = explorer.word(m, matrix.getValue(), input);
            ExplorerService.Neighbours found = explorer.nearest(m, matrix.getValue(), w.vector(), kValue(), metric.getValue(), filter(),
                    ExplorerService.union(w.ids()));
            List<Result> rs = found.results();
            neighbors.setItems(rs);
            String served = String.format(java.util.Locale.ROOT, "%s, %.1f ms", "hnsw".equals(found.servedBy())
                    ? "HNSW index, re-ranked exactly" : "exact scan", found.millis());
            queryNote.setText((w.ids().length > 1 ? "'" + w.text() + "' is " + w.ids().length + " tokens " + java.util.Arrays.toString(w.ids())
                    + ": showing the neighbours of their mean; click one of them (#id) to explore it alone. " : "") + "Answered by the " + served + ".");
            showStrip(m, w);
            plot(m, w, rs);
            showPlaygroundProbability(m, w);
            message.setText("");
        } catch (ApiException | IllegalArgumentException ex) {
            message.setText(ex.getMessage());
        }
    }

    /** How likely the queried token is in the playground's current distribution (same model, same browser session). */
    private void showPlaygroundProbability(LoadedModel m, ExplorerService.Word w) {
        var vs = com.vaadin.flow.server.VaadinSession.getCurrent();
        var snap = vs == null ? null : vs.getAttribute(io.gptlens.web.playground.PlaygroundSnapshot.class);
        if (snap == null || !snap.modelId().equals(m.id()) || w.ids().length != 1) {
            playgroundP.setText("");
            return;
        }
        playgroundP.setText("In the playground (" + snap.where() + "): " + snap.describe(w.ids()[0]));
    }

    private void showStrip(LoadedModel m, ExplorerService.Word w) {
        rowStrip.removeAll();
        float[] v = w.vector();
        double max = 1e-9;
        for (float x : v) {
            max = Math.max(max, Math.abs(x));
        }
        Div strip = new Div();
        strip.getStyle().set("display", "flex").set("height", "18px").set("width", "100%");
        for (float x : v) {
            Div cell = new Div();
            double t = x / max;
            cell.getStyle().set("flex", "1").set("background", t >= 0
                    ? String.format(Locale.ROOT, "rgba(217, 48, 37, %.3f)", t) : String.format(Locale.ROOT, "rgba(51, 103, 214, %.3f)", -t));
            strip.add(cell);
        }
        rowStrip.add(new Span("Row of '" + w.text() + "' (" + v.length + " numbers; red positive, blue negative, |x| ≤ "
                + String.format(Locale.ROOT, "%.3f", max) + ", norm " + String.format(Locale.ROOT, "%.3f", Vectors.norm(v)) + ")"), strip);
    }

    private void plot(LoadedModel m, ExplorerService.Word w, List<Result> rs) {
        List<Integer> ids = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<float[]> vs = new ArrayList<>();
        ids.add(w.ids()[0]);
        labels.add(w.text());
        vs.add(w.vector());
        for (Result r : rs) {
            ids.add(r.id());
            labels.add(TokenDisplay.visible(r.piece()));
            vs.add(explorer.rowOf(m, matrix.getValue(), r.id()));
        }
        scatter.show(ids, labels, vs.toArray(float[][]::new));
    }

    private void analogy() {
        LoadedModel m = current();
        if (m == null) {
            return;
        }
        try {
            Matrix mx = matrix.getValue();
            ExplorerService.Word wa = explorer.word(m, mx, a.getValue());
            ExplorerService.Word wb = explorer.word(m, mx, b.getValue());
            ExplorerService.Word wc = explorer.word(m, mx, c.getValue());
            float[] v = Vectors.combine(new float[][]{wa.vector(), wb.vector(), wc.vector()}, new double[]{1, -1, 1});
            List<Result> rs = explorer.nearest(m, mx, v, kValue(), metric.getValue(), filter(), ExplorerService.union(wa.ids(), wb.ids(), wc.ids())).results();
            analogy.setItems(rs);
            analogyExpression.setText(wa.text() + " − " + wb.text() + " + " + wc.text() + " ≈ " + (rs.isEmpty() ? "?" : rs.getFirst().piece().strip())
                    + "   (W_E[" + wa.text() + "] − W_E[" + wb.text() + "] + W_E[" + wc.text() + "], nearest by " + metric.getValue().name().toLowerCase(Locale.ROOT)
                    + ", inputs excluded)");
            plot(m, new ExplorerService.Word(wa.text() + "−" + wb.text() + "+" + wc.text(), wa.ids(), v), rs);
            message.setText("");
        } catch (ApiException | IllegalArgumentException ex) {
            message.setText(ex.getMessage());
        }
    }

    private void similarity() {
        LoadedModel m = current();
        if (m == null) {
            return;
        }
        try {
            ExplorerService.Word wa = explorer.word(m, matrix.getValue(), simA.getValue());
            ExplorerService.Word wb = explorer.word(m, matrix.getValue(), simB.getValue());
            simResult.setText(String.format(Locale.ROOT, "dot = %.4f   cosine = %.4f   |A| = %.4f   |B| = %.4f   (dot = |A|·|B|·cosine)",
                    Vectors.dot(wa.vector(), wb.vector()), Vectors.cosine(wa.vector(), wb.vector()), Vectors.norm(wa.vector()), Vectors.norm(wb.vector())));
        } catch (ApiException | IllegalArgumentException ex) {
            simResult.setText(ex.getMessage());
        }
    }

    private void direction() {
        LoadedModel m = current();
        if (m == null) {
            return;
        }
        try {
            Matrix mx = matrix.getValue();
            ExplorerService.Word from = explorer.word(m, mx, dirFrom.getValue());
            ExplorerService.Word to = explorer.word(m, mx, dirTo.getValue());
            float[] d = Vectors.normalize(Vectors.combine(new float[][]{to.vector(), from.vector()}, new double[]{1, -1}));
            float[] neg = Vectors.combine(new float[][]{d}, new double[]{-1});
            var ex = ExplorerService.union(from.ids(), to.ids());
            List<Result> most = explorer.nearest(m, mx, d, kValue(), EmbeddingIndex.Metric.DOT, filter(), ex).results();
            List<Result> least = explorer.nearest(m, mx, neg, kValue(), EmbeddingIndex.Metric.DOT, filter(), ex).results();
            dirResult.removeAll();
            dirResult.add(new Div(new Span("Most along " + to.text() + " − " + from.text() + ": "
                    + String.join(", ", most.stream().map(r -> r.piece().strip() + String.format(Locale.ROOT, " (%.3f)", r.score())).toList()))));
            dirResult.add(new Div(new Span("Least: "
                    + String.join(", ", least.stream().map(r -> r.piece().strip() + String.format(Locale.ROOT, " (%.3f)", -r.score())).toList()))));
        } catch (ApiException | IllegalArgumentException ex) {
            dirResult.removeAll();
            dirResult.add(new Span(ex.getMessage()));
        }
    }

    private void search() {
        LoadedModel m = current();
        searchResult.removeAll();
        if (m == null || search.getValue().isBlank()) {
            return;
        }
        try {
            List<Result> rs = explorer.find(m, matrix.getValue(), search.getValue(), substring.getValue(), 50);
            for (Result r : rs) {
                Button chip = new Button(TokenDisplay.visible(r.piece()) + " #" + r.id(), e -> {
                    query.setValue("#" + r.id());
                    neighbours("#" + r.id());
                });
                chip.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_TERTIARY);
                searchResult.add(chip);
            }
            if (rs.isEmpty()) {
                searchResult.add(new Span("No token matches."));
            }
        } catch (ApiException ex) {
            searchResult.add(new Span(ex.getMessage()));
        }
    }
}
