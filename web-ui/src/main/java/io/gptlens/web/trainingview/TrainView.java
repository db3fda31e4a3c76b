package io.gptlens.web.trainingview;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.QueryParameters;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.streams.UploadEvent;
import com.vaadin.flow.shared.Registration;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.security.AdminGuard;
import io.gptlens.web.training.TrainingException;
import io.gptlens.web.training.TrainingService;
import io.gptlens.web.training.TrainingState;
import io.gptlens.web.training.TrainingStatus;
import io.gptlens.web.ui.AdminTokenField;
import io.gptlens.web.ui.MainLayout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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
    private final RunForm form = new RunForm(this::receiveCorpus);
    private final Span message = new Span();
    private final Select<String> run = new Select<>();
    private final Span state = new Span();
    private final RunStatsPanel stats = new RunStatsPanel();
    private final LossChart chart = new LossChart();
    private final Button cancel = new Button("Cancel");
    private final Button resume = new Button("Resume");
    private final CheckpointsPanel checkpoints = new CheckpointsPanel();
    private List<String> currentRunIds = List.of();
    private Registration polling;

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
        form.addStartAskedListener(this::startRun);
        message.setId("train-message");
        checkpoints.addOpenAskedListener(e -> openCheckpoint(e.run(), e.checkpoint(), e.target().route));
        add(form, message, runSection(), chart, stats, new HorizontalLayout(cancel, resume), new H3("Checkpoints"), checkpoints);
    }

    /** Takes a corpus of one's own from the {@link RunForm}'s upload (off the UI thread) and offers it there. */
    private void receiveCorpus(UploadEvent event) throws IOException {
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
                form.setCorpora(training.corpora());
                form.selectCorpus(c.id());
                message.setText("Uploaded " + name + ": " + c.bytes() + " bytes, " + c.documents() + " document(s)");
            });
        } catch (TrainingException ex) {
            ui.access(() -> message.setText("Upload of " + name + " refused: " + ex.getMessage()));
        }
    }

    private HorizontalLayout runSection() {
        run.setLabel("Run");
        run.setId("run-select");
        run.addValueChangeListener(e -> refresh());
        state.setId("run-state");
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

    private void startRun(RunForm.StartAsked e) {
        String refused = token.refusal(admin, "Starting a training run");
        if (refused != null) {
            message.setText(refused);
            return;
        }
        try {
            TrainingStatus st = training.start(e.corpus(), e.preset(), e.steps(), e.seed());
            message.setText("Started " + st.id() + ": " + st.name());
            refreshRuns();
            run.setValue(st.id());
        } catch (TrainingException ex) {
            message.setText(ex.getMessage());
        }
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
        String st = s.state().text();
        state.setText(s.phase().equals(st) ? st : st + " — " + s.phase());
        state.getElement().setAttribute("data-state", st);
        List<double[]> val = s.validations().stream().map(v -> new double[] {v.step(), v.loss()}).toList();
        stats.show(s);
        chart.show(s.losses(), val, s.plannedSteps());
        cancel.setEnabled(s.state() == TrainingState.RUNNING);
        resume.setEnabled(s.state().resumable() && !s.checkpoints().isEmpty());
        checkpoints.show(s);
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

    @Override
    protected void onAttach(AttachEvent e) {
        form.setCorpora(training.corpora());
        refreshRuns();
        refresh();
        UI ui = e.getUI();
        ui.setPollInterval(1000);
        polling = ui.addPollListener(p -> {
            refreshRuns();
            refresh();
        });
    }

    @Override
    protected void onDetach(DetachEvent e) {
        e.getUI().setPollInterval(-1);
        if (polling != null) { // null if attaching failed before it was set
            polling.remove(); // else each visit adds one more listener to the tab's UI
            polling = null;
        }
    }
}
