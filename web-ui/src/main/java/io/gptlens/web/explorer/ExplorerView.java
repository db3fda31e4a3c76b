package io.gptlens.web.explorer;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.progressbar.ProgressBar;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.gptlens.core.embedding.Vectors;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.web.explorer.ExplorerService.Matrix;
import io.gptlens.web.explorer.ExplorerService.Result;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelException;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.ui.MainLayout;
import io.gptlens.web.ui.ModelChoice;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The W_E explorer as one workspace: a search box that takes a word, a {@code #token-id} or an
 * expression ({@code king - man + woman}, {@code cos(king, queen)}) with its filters as chips
 * ({@link QueryBar}), the results as a bar list beside their PCA scatter ({@link ScatterPlot}),
 * the query's row ({@link RowStrip}), and further tools folded below ({@link ExplorerTools}).
 * Thin over {@link ExplorerService}.
 */
@Route(value = "explorer", layout = MainLayout.class)
@PageTitle("Explorer · GPTLens")
public class ExplorerView extends VerticalLayout implements BeforeEnterObserver {

    private final ExplorerService explorer;
    private final ModelChoice model;
    private String pendingQuery;
    private final Select<Matrix> matrix = new Select<>();
    private final Span indexStatus = new Span();
    private final ProgressBar indexProgress = new ProgressBar();
    private final QueryBar queryBar = new QueryBar();
    private final Span queryNote = new Span();
    private final Grid<Result> neighbors = new Grid<>();
    private final ScatterPlot scatter = new ScatterPlot();
    private final RowStrip rowStrip = new RowStrip();
    private final ExplorerTools tools;
    private final Span playgroundP = new Span();
    private final Span message = new Span();

    public ExplorerView(ModelRegistry models, ExplorerService explorer) {
        this.explorer = explorer;
        this.model = new ModelChoice(models, m -> !m.model().info().vocabOnly());
        this.tools = new ExplorerTools(explorer, () -> new ExplorerTools.Scope(current(), matrix.getValue(), queryBar.k(), queryBar.filter()));
        tools.addTokenPickedListener(e -> queryBar.ask("#" + e.id()));
        queryBar.addAskedListener(e -> neighbours(e.query()));
        configure();
        // the answer at once as a list and as a picture: the results beside their PCA projection
        Div picture = new Div(new Span("The results projected on their two principal components (click a token)"), scatter);
        picture.addClassName("workspace-side");
        Div answer = new Div(neighbors, picture);
        answer.addClassName("workspace");
        add(modelRow(), queryBar, queryNote, message, answer, rowStrip, playgroundP, tools);
    }

    private void configure() {
        model.setId("explorer-model");
        model.addChosenListener(e -> modelChanged());
        matrix.setId("explorer-matrix");
        matrix.setLabel("Matrix");
        matrix.setItemLabelGenerator(m -> m == Matrix.WE ? "W_E (embedding)" : "W_U (unembedding)");
        matrix.addValueChangeListener(e -> refreshStatus());
        indexStatus.setId("index-status");
        indexProgress.setId("index-progress");
        indexProgress.setWidth("20em");
        queryNote.setId("query-note");
        configureGrid(neighbors, "neighbors-results");
        neighbors.addItemClickListener(e -> queryBar.ask("#" + e.getItem().id()));
        scatter.addTokenClickedListener(e -> queryBar.ask("#" + e.token()));
        playgroundP.setId("playground-probability");
        message.setId("explorer-message");
    }

    private static void configureGrid(Grid<Result> g, String id) {
        g.setId(id);
        g.addColumn(Result::id).setHeader("id").setAutoWidth(true);
        g.addColumn(r -> TokenDisplay.visible(r.piece())).setHeader("token").setAutoWidth(true);
        g.addColumn(r -> String.format(Locale.ROOT, "%.4f", r.score())).setHeader("score (exact)").setAutoWidth(true);
        g.addComponentColumn(r -> {
            Div bar = new Div(new Div());
            bar.addClassName("score-bar");
            bar.getComponentAt(0).getElement().getStyle().set("width", String.format(Locale.ROOT, "%.1f%%", 100 * Math.max(0, Math.min(1, r.score()))));
            return bar;
        }).setHeader("").setFlexGrow(1);
        g.setAllRowsVisible(true);
        g.setWidthFull();
    }

    private HorizontalLayout modelRow() {
        HorizontalLayout r = new HorizontalLayout(model, matrix, indexStatus, indexProgress);
        r.setAlignItems(FlexComponent.Alignment.BASELINE);
        r.getStyle().set("flex-wrap", "wrap");
        return r;
    }

    @Override
    public void beforeEnter(BeforeEnterEvent e) {
        var q = e.getLocation().getQueryParameters();
        model.prefer(q.getSingleParameter("model").orElse("all-minilm-l6-v2")); // the built-in embedder when it is there
        pendingQuery = q.getSingleParameter("q").orElse(null);
    }

    @Override
    protected void onAttach(AttachEvent e) {
        e.getUI().setPollInterval(500);
        e.getUI().addPollListener(p -> refreshStatus());
    }

    @Override
    protected void onDetach(DetachEvent e) {
        e.getUI().setPollInterval(-1);
    }

    private LoadedModel current() {
        return model.model();
    }

    private void modelChanged() {
        LoadedModel m = current();
        message.setText(m == null ? "No model with weights is loaded: " + ModelChoice.NONE : "");
        if (m == null) {
            return;
        }
        matrix.setItems(m.model().tiedEmbeddings() ? List.of(Matrix.WE) : List.of(Matrix.WE, Matrix.WU));
        matrix.setValue(Matrix.WE);
        if (queryBar.isEmpty()) {
            queryBar.setQuery(ExplorerService.wordPiece(m) ? "king" : "#" + Math.min(403, m.model().tokenizer().vocabularySize() - 1));
        }
        refreshStatus();
        if (pendingQuery != null) { // the link's query, once its model is there
            queryBar.ask(pendingQuery);
            pendingQuery = null;
        }
    }

    private void refreshStatus() {
        LoadedModel m = current();
        if (m == null || matrix.getValue() == null) {
            return;
        }
        try {
            ExplorerService.Status s = explorer.build(m, matrix.getValue());
            indexStatus.setText(s.describe());
            indexStatus.getElement().setAttribute("data-state", s.state().text());
            indexProgress.setVisible(s.state() != ExplorerService.IndexState.READY);
            indexProgress.setValue(s.total() == 0 ? 0 : Math.min(1, s.rows() / (double) s.total()));
        } catch (ModelException ex) {
            indexStatus.setText(ex.getMessage());
        }
    }

    private void neighbours(String input) {
        LoadedModel m = current();
        if (m == null) {
            return;
        }
        try {
            Matrix mx = matrix.getValue();
            QueryExpression q = QueryExpression.parse(input);
            if (q instanceof QueryExpression.Cosine cos) {
                ExplorerService.Similarity sim = explorer.cosine(m, mx, cos);
                ExplorerService.Word wa = sim.a();
                ExplorerService.Word wb = sim.b();
                double c = sim.cosine();
                queryNote.setText(String.format(Locale.ROOT, "cos(%s, %s) = %.4f (dot %.4f = |a| %.4f · |b| %.4f · cos; angle %.1f°)", wa.text(), wb.text(),
                        c, Vectors.dot(wa.vector(), wb.vector()), Vectors.norm(wa.vector()), Vectors.norm(wb.vector()),
                        Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, c))))));
                queryNote.getElement().setAttribute("data-cosine", String.format(Locale.ROOT, "%.6f", c));
                plot(m, wa, List.of(new Result(wb.ids()[0], wb.text(), c)));
                message.setText("");
                return;
            }
            QueryExpression.Sum sum = (QueryExpression.Sum) q;
            ExplorerService.Word w = explorer.combine(m, mx, sum, input);
            boolean several = sum.words().size() > 1;
            ExplorerService.Neighbours found = explorer.nearest(m, mx, w.vector(), queryBar.k(), queryBar.metric(), queryBar.filter(),
                    ExplorerService.union(w.ids()));
            List<Result> rs = found.results();
            neighbors.setItems(rs);
            String served = String.format(java.util.Locale.ROOT, "%s, %.1f ms", found.servedBy() == ExplorerService.Served.HNSW
                    ? "HNSW index, re-ranked exactly" : "exact scan", found.millis());
            queryNote.getElement().removeAttribute("data-cosine");
            queryNote.setText((several ? "The vector " + input.strip() + " (the words themselves excluded). "
                    : w.ids().length > 1 ? "'" + w.text() + "' is " + w.ids().length + " tokens " + java.util.Arrays.toString(w.ids())
                    + ": showing the neighbours of their mean; click one of them (#id) to explore it alone. " : "") + "Answered by the " + served + ".");
            rowStrip.show(w.text(), w.vector());
            plot(m, w, rs);
            showPlaygroundProbability(m, w);
            message.setText("");
        } catch (ModelException | IllegalArgumentException ex) {
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
}
