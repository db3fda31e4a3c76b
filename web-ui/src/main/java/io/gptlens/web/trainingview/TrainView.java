package io.gptlens.web.trainingview;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.upload.Upload;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.QueryParameters;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.streams.UploadHandler;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.security.AdminGuard;
import io.gptlens.web.training.TrainingException;
import io.gptlens.web.training.TrainingService;
import io.gptlens.web.training.TrainingStatus;
import io.gptlens.web.ui.AdminTokenField;
import io.gptlens.web.ui.MainLayout;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /train}: start a pre-training run and watch it — the loss curves against the n-gram
 * baselines, tokens/s, ETA and the learning rate; at each checkpoint a sample of text from the same
 * prompt and the nearest neighbours of a few words in W_E, meaning emerging from random vectors.
 * A thin view over {@link TrainingService}, refreshed by polling once a second. Starting, cancelling
 * and resuming runs, uploading a corpus and opening an older checkpoint need the admin token when
 * one is configured ({@link AdminTokenField}).
 */
@Route(value = "train", layout = MainLayout.class)
@PageTitle("Train · GPTLens")
public class TrainView extends VerticalLayout {

    private final TrainingService training;
    private final ModelRegistry models;
    private final AdminGuard admin;
    private final AdminTokenField token = new AdminTokenField();
    private final Select<String> corpus = new Select<>();
    private final Select<String> preset = new Select<>();
    private final IntegerField steps = new IntegerField("Steps (empty: the preset's time budget)");
    private final IntegerField seed = new IntegerField("Seed");
    private final Button start = new Button("Start training");
    private final Span message = new Span();
    private final Select<String> run = new Select<>();
    private final Span state = new Span();
    private final Div stats = new Div();
    private final LossChart chart = new LossChart();
    private final Button cancel = new Button("Cancel");
    private final Button resume = new Button("Resume");
    private final Div checkpoints = new Div();
    private final Map<String, String> corpusLabels = new LinkedHashMap<>();
    private String shownCheckpoints = "";

    public TrainView(TrainingService training, ModelRegistry models, AdminGuard admin) {
        this.training = training;
        this.models = models;
        this.admin = admin;
        setWidthFull();
        add(new H2("Pre-train a GPT"), new Paragraph("W_E starts random and is learned from data: train a small llama-architecture GPT "
                + "with llama.cpp's own trainer on the State of the Union addresses or your own text, and watch its loss fall and its "
                + "vectors gain meaning."));
        if (admin.required()) {
            add(token);
        }
        add(startForm(), message, runSection(), chart, stats, new HorizontalLayout(cancel, resume), new H3("Checkpoints"), checkpoints);
    }

    private VerticalLayout startForm() {
        corpus.setLabel("Corpus");
        corpus.setId("train-corpus");
        corpus.setItemLabelGenerator(id -> corpusLabels.getOrDefault(id, id));
        preset.setLabel("Preset");
        preset.setId("train-preset");
        preset.setItems("tiny", "default", "large");
        preset.setValue("default");
        steps.setId("train-steps");
        steps.setMin(1);
        seed.setId("train-seed");
        seed.setValue(1);
        start.setId("train-start");
        start.addClickListener(e -> startRun());
        message.setId("train-message");
        UploadHandler handler = event -> {
            String name = Path.of(event.getFileName()).getFileName().toString();
            UI ui = event.getUI();
            if (token.rejectUpload(event, admin, "Uploading a corpus", message)) {
                return;
            }
            byte[] body;
            try (InputStream in = event.getInputStream()) {
                body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, TrainingService.MAX_CORPUS_BYTES + 1));
            }
            try {
                TrainingService.CorpusInfo c = training.uploadCorpus(name, body);
                ui.access(() -> {
                    refreshCorpora();
                    corpus.setValue(c.id());
                    message.setText("Uploaded " + name + ": " + c.bytes() + " bytes, " + c.documents() + " document(s)");
                });
            } catch (TrainingException ex) {
                ui.access(() -> message.setText("Upload of " + name + " refused: " + ex.getMessage()));
            }
        };
        Upload upload = new Upload(handler);
        upload.setId("train-upload");
        upload.setAcceptedFileTypes(".txt", "text/plain");
        HorizontalLayout row = new HorizontalLayout(corpus, preset, steps, seed, start);
        row.setAlignItems(FlexComponent.Alignment.BASELINE);
        HorizontalLayout up = new HorizontalLayout(new Span("Or train on your own UTF-8 text:"), upload);
        up.setAlignItems(FlexComponent.Alignment.CENTER);
        VerticalLayout v = new VerticalLayout(row, up);
        v.setPadding(false);
        return v;
    }

    private HorizontalLayout runSection() {
        run.setLabel("Run");
        run.setId("run-select");
        run.addValueChangeListener(e -> {
            shownCheckpoints = "";
            refresh();
        });
        state.setId("run-state");
        stats.setId("run-stats");
        checkpoints.setId("checkpoints");
        cancel.setId("train-cancel");
        resume.setId("train-resume");
        cancel.addClickListener(e -> act("Cancelling a training run", () -> training.cancel(run.getValue())));
        resume.addClickListener(e -> act("Resuming a training run", () -> training.resume(run.getValue())));
        HorizontalLayout h = new HorizontalLayout(run, state);
        h.setAlignItems(FlexComponent.Alignment.BASELINE);
        return h;
    }

    private void act(String action, Runnable r) {
        String refused = token.refusal(admin, action);
        if (refused != null) {
            message.setText(refused);
            return;
        }
        try {
            r.run();
            refresh();
        } catch (TrainingException ex) {
            message.setText(ex.getMessage());
        }
    }

    private void startRun() {
        String refused = token.refusal(admin, "Starting a training run");
        if (refused != null) {
            message.setText(refused);
            return;
        }
        try {
            Integer n = steps.getValue();
            Integer s = seed.getValue();
            TrainingStatus st = training.start(corpus.getValue(), preset.getValue(), n == null ? null : n.longValue(), s == null ? null : s.longValue());
            message.setText("Started " + st.id() + ": " + st.name());
            refreshRuns();
            run.setValue(st.id());
        } catch (TrainingException ex) {
            message.setText(ex.getMessage());
        }
    }

    private void refreshCorpora() {
        corpusLabels.clear();
        corpusLabels.put("builtin", "Built-in: State of the Union addresses (10.7 MB)");
        for (TrainingService.CorpusInfo c : training.corpora()) {
            corpusLabels.put(c.id(), c.name() + " (" + c.bytes() + " bytes)");
        }
        String was = corpus.getValue();
        corpus.setItems(new ArrayList<>(corpusLabels.keySet()));
        corpus.setValue(was != null && corpusLabels.containsKey(was) ? was : "builtin");
    }

    private void refreshRuns() {
        List<TrainingStatus> all = training.list();
        List<String> ids = all.stream().map(TrainingStatus::id).toList();
        Map<String, String> labels = new LinkedHashMap<>();
        all.forEach(s -> labels.put(s.id(), s.id() + " · " + s.name() + (s.builtin() ? " (built-in)" : "")));
        run.setItemLabelGenerator(id -> labels.getOrDefault(id, id));
        String was = run.getValue();
        if (!ids.equals(currentRunIds)) {
            currentRunIds = ids;
            run.setItems(ids);
            run.setValue(was != null && ids.contains(was) ? was : ids.isEmpty() ? null : ids.getLast());
        }
    }

    private List<String> currentRunIds = List.of();

    /** Shows the selected run. */
    void refresh() {
        String id = run.getValue();
        if (id == null) {
            state.setText("No training run yet.");
            return;
        }
        TrainingStatus s;
        try {
            s = training.get(id);
        } catch (TrainingException ex) {
            state.setText(ex.getMessage());
            return;
        }
        state.setText(s.phase().equals(s.state()) ? s.state() : s.state() + " — " + s.phase());
        state.getElement().setAttribute("data-state", s.state());
        List<double[]> val = s.validations().stream().map(v -> new double[] {v.step(), v.loss()}).toList();
        stats.removeAll();
        stats.add(new Paragraph(String.format(Locale.ROOT, "Step %,d of %,d · %,.0f tokens/s · learning rate %.2e · %s elapsed%s",
                s.step(), s.plannedSteps(), s.tokensPerSecond(), s.learningRate(), duration((long) s.elapsedSeconds()),
                s.etaSeconds() == null ? "" : " · ETA " + duration(s.etaSeconds()))));
        stats.add(new Paragraph(String.format(Locale.ROOT, "Training loss %s · validation loss %s nats/token = %s bits/byte on held-out text "
                        + "(unigram %s, bigram %s) · %,d parameters, d = %s, %s layers, vocabulary %s",
                num(s.trainLoss()), num(s.validationLoss()), num(s.bitsPerByte()), num(s.baselines().get("unigram")),
                num(s.baselines().get("bigram")), ((Number) s.recipe().get("parameters")).longValue(), s.recipe().get("embedding"),
                s.recipe().get("layers"), s.recipe().get("vocabulary"))));
        if (s.error() != null) {
            stats.add(new Paragraph("Error: " + s.error()));
        }
        chart.show(s.losses(), val, s.plannedSteps());
        cancel.setEnabled("running".equals(s.state()));
        resume.setEnabled(("cancelled".equals(s.state()) || "failed".equals(s.state())) && !s.checkpoints().isEmpty());
        String key = s.checkpoints().stream().map(c -> c.step() + ":" + (c.sample() != null)).toList().toString();
        if (!key.equals(shownCheckpoints)) {
            shownCheckpoints = key;
            showCheckpoints(s);
        }
    }

    private void showCheckpoints(TrainingStatus s) {
        checkpoints.removeAll();
        for (TrainingStatus.Checkpoint c : s.checkpoints().reversed()) {
            Div box = new Div();
            box.addClassName("checkpoint");
            box.getElement().setAttribute("data-step", Long.toString(c.step()));
            box.add(new H3("Step " + c.step()));
            if (c.sample() != null) {
                Paragraph p = new Paragraph(c.sample());
                p.addClassName("checkpoint-sample");
                box.add(p);
                c.neighbours().forEach((w, ns) -> box.add(new Paragraph("Nearest to \"" + w + "\" in W_E: " + String.join(", ", ns))));
            } else {
                box.add(new Paragraph("(sampling ...)"));
            }
            Button open = new Button("Open in playground", e -> openCheckpoint(s, c, ""));
            Button explore = new Button("Explore W_E", e -> openCheckpoint(s, c, "explorer"));
            box.add(new HorizontalLayout(open, explore));
            checkpoints.add(box);
        }
    }

    /** Loads an older checkpoint under its own id (the newest is the run's model already) and opens it. */
    private void openCheckpoint(TrainingStatus s, TrainingStatus.Checkpoint c, String route) {
        String id = s.name();
        Path file = Path.of(c.file());
        boolean newest = models.get(id).map(m -> m.path().equals(file.toAbsolutePath().normalize())).orElse(false);
        if (!newest) {
            id = s.name() + "-step" + c.step();
            if (models.get(id).isEmpty()) {
                String refused = token.refusal(admin, "Loading a model");
                if (refused != null) {
                    message.setText("Cannot open checkpoint " + c.step() + ": " + refused);
                    return;
                }
                try {
                    models.replace(id, file);
                } catch (RuntimeException ex) {
                    message.setText("Cannot open checkpoint " + c.step() + ": " + ex.getMessage());
                    return;
                }
            }
        }
        UI.getCurrent().navigate(route, QueryParameters.of("model", id));
    }

    private static String num(Double d) {
        return d == null || d.isNaN() ? "–" : String.format(Locale.ROOT, "%.3f", d);
    }

    private static String duration(long seconds) {
        return seconds >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }

    @Override
    protected void onAttach(AttachEvent e) {
        refreshCorpora();
        refreshRuns();
        refresh();
        UI ui = e.getUI();
        ui.setPollInterval(1000);
        ui.addPollListener(p -> {
            refreshRuns();
            refresh();
        });
    }

    @Override
    protected void onDetach(DetachEvent e) {
        e.getUI().setPollInterval(-1);
    }
}
