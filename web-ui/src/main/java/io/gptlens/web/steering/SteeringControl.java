package io.gptlens.web.steering;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.upload.Upload;
import com.vaadin.flow.server.streams.UploadHandler;
import io.gptlens.web.completion.CompletionRequest;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.playground.PlaygroundSession;
import io.gptlens.web.security.AdminGuard;
import io.gptlens.web.ui.AdminTokenField;
import io.gptlens.web.ui.UiAccess;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What the playground and the walk do with their {@link SteeringPanel}: list the model's saved
 * directions, make and delete one, steer the page's {@link PlaygroundSession} when the panel
 * changes (then redraw), and run the side-by-side comparison into a {@link ComparisonPanel}. The
 * pages' own helper: it holds no native resource (the session belongs to the page).
 */
public final class SteeringControl {

    /** What the comparison generates: the page's prompt, temperature and seed, and how many tokens. */
    public record Settings(String prompt, Double temperature, Long seed, int maxTokens) {
    }

    private final SteeringService steering;
    private final SteeringComparison comparison;
    private final AdminGuard admin;
    private final SteeringPanel panel = new SteeringPanel();
    private final ComparisonPanel compared = new ComparisonPanel();
    private final AdminTokenField token = new AdminTokenField();
    private final Supplier<LoadedModel> model;
    private final Supplier<PlaygroundSession> session;
    private final Supplier<Settings> settings;
    private final Runnable redraw;
    private float[][] applied;

    /**
     * @param model    the page's model (null for none)
     * @param session  the page's session, which the steering is applied to (null for none)
     * @param settings what "Compare" generates
     * @param redraw   run on the UI thread once the session is steered: the page draws its distribution again
     */
    public SteeringControl(SteeringService steering, SteeringComparison comparison, AdminGuard admin, Supplier<LoadedModel> model,
                           Supplier<PlaygroundSession> session, Supplier<Settings> settings, Runnable redraw) {
        this.steering = steering;
        this.comparison = comparison;
        this.admin = admin;
        this.model = model;
        this.session = session;
        this.settings = settings;
        this.redraw = redraw;
        panel.addToMakeRow(importer());
        if (admin.required()) {
            panel.addToMakeRow(token);
        }
        panel.addChangedListener(e -> steer(e.applied()));
        panel.addMakeListener(e -> make(e.from(), e.to()));
        panel.addContrastListener(e -> contrast(e.positive(), e.negative(), e.method()));
        panel.addDeleteListener(e -> delete(e.id()));
        panel.addCompareListener(e -> compare());
    }

    /** "Import": a control-vector .gguf (llama.cpp's cvector-generator writes them) saved as a direction of the page's model. */
    private Upload importer() {
        UploadHandler handler = event -> {
            UI ui = event.getUI();
            String file = java.nio.file.Path.of(event.getFileName()).getFileName().toString();
            String[] refused = new String[1];
            LoadedModel[] m = new LoadedModel[1];
            ui.accessSynchronously(() -> {
                refused[0] = token.refusal(admin, "Importing a steering direction");
                m[0] = model.get();
            });
            if (refused[0] != null || m[0] == null) {
                String why = refused[0] != null ? refused[0] : "Choose a model first";
                event.reject(why);
                UiAccess.later(ui, () -> panel.say(why));
                return;
            }
            try {
                byte[] bytes = event.getInputStream().readNBytes(SteeringService.MAX_FILE_BYTES + 1);
                SteeringService.Saved made = steering.fromFile(m[0], null, bytes);
                List<SteeringService.Saved> all = steering.list(m[0]);
                UiAccess.later(ui, () -> chosen(made, all, "Imported " + file + " as"));
            } catch (java.io.IOException | RuntimeException e) {
                UiAccess.later(ui, () -> panel.say("Import of " + file + " refused: " + e.getMessage()));
            }
        };
        Upload upload = new Upload(handler);
        upload.setId("steer-import");
        upload.setAcceptedFileTypes(".gguf");
        upload.setMaxFileSize(SteeringService.MAX_FILE_BYTES);
        upload.setUploadButton(new com.vaadin.flow.component.button.Button("Import a control vector (.gguf)"));
        upload.setDropAllowed(false);
        return upload;
    }

    public SteeringPanel panel() {
        return panel;
    }

    public ComparisonPanel comparisonPanel() {
        return compared;
    }

    /** The page's model changed (or was chosen first): its directions; the new session starts unsteered. */
    public void modelChanged() {
        applied = null;
        LoadedModel m = model.get();
        try {
            panel.setDirections(m == null ? List.of() : steering.list(m));
        } catch (RuntimeException e) {
            panel.setDirections(List.of());
            panel.say(e.getMessage());
        }
        compared.setVisible(false);
        if (!panel.applied().isEmpty()) {
            steer(panel.applied()); // a direction kept (the same file loaded again): apply it to the new session
        }
    }

    private void steer(List<SteeringService.Applied> asked) {
        LoadedModel m = model.get();
        PlaygroundSession s = session.get();
        if (m == null || s == null) {
            return;
        }
        float[][] v;
        try {
            v = steering.combine(m, asked);
        } catch (RuntimeException e) {
            panel.say(e.getMessage() + (applied == null ? "" : " (the steering before stays on)"));
            return;
        }
        if (v == null && applied == null) {
            return; // off, and it was off
        }
        UI ui = UI.getCurrent();
        float[][] before = applied;
        try {
            s.steer(v).whenComplete((ok, failed) -> UiAccess.later(ui, () -> {
                if (failed != null) {
                    Throwable why = failed instanceof java.util.concurrent.CompletionException && failed.getCause() != null ? failed.getCause() : failed;
                    applied = before;
                    panel.say("Steering failed: " + why.getMessage());
                } else {
                    applied = v;
                    panel.say(v == null ? "" : "Steering the model from layer " + first(v) + " on");
                }
                redraw.run();
            }));
        } catch (RuntimeException e) { // the page's session closed meanwhile
            panel.say(e.getMessage());
        }
    }

    private static int first(float[][] v) {
        for (int l = 0; l < v.length; l++) {
            if (v[l] != null) {
                return l;
            }
        }
        return -1;
    }

    /** The page's model when its directions may change (the admin token, where one is set); else says why and gives null. */
    private LoadedModel mayChange(String action) {
        LoadedModel m = model.get();
        String refused = m == null ? "Choose a model first" : token.refusal(admin, action);
        if (refused != null) {
            panel.say(refused);
            return null;
        }
        return m;
    }

    private void make(String from, String to) {
        if (from.isEmpty() || to.isEmpty()) {
            panel.say("Give two words: the direction is W_E(to) − W_E(from)");
            return;
        }
        LoadedModel m = mayChange("Making a steering direction");
        if (m != null) {
            made(m, "Making " + to + " − " + from, () -> steering.fromEmbeddings(m, null, from, to, null, null));
        }
    }

    private void contrast(List<String> positive, List<String> negative, io.gptlens.core.steering.Contrastive.Method method) {
        if (positive.isEmpty() || negative.isEmpty()) {
            panel.say("Give positive and negative prompts, one per line");
            return;
        }
        LoadedModel m = mayChange("Making a steering direction");
        if (m != null) { // each prompt is a run of the model: off the UI thread
            made(m, "Running " + (positive.size() + negative.size()) + " prompts", () -> steering.fromPrompts(m, null, positive, negative, method,
                    null, null));
        }
    }

    /** Makes a direction off the UI thread, then lists it and chooses it at strength 0. */
    private void made(LoadedModel m, String doing, Supplier<SteeringService.Saved> work) {
        UI ui = UI.getCurrent();
        panel.say(doing + " …");
        Thread.ofVirtual().start(() -> {
            try {
                SteeringService.Saved made = work.get();
                List<SteeringService.Saved> all = steering.list(m);
                UiAccess.later(ui, () -> chosen(made, all, "Made"));
            } catch (RuntimeException e) {
                UiAccess.later(ui, () -> panel.say(e.getMessage()));
            }
        });
    }

    private void chosen(SteeringService.Saved made, List<SteeringService.Saved> all, String verb) {
        panel.choose(made.id(), all);
        panel.say(String.format(Locale.ROOT, "%s '%s': layers %d–%d, norm %.3f. Move the strength to steer.", verb, made.name(), made.first(),
                made.last(), made.norm()));
    }

    private void delete(String id) {
        LoadedModel m = mayChange("Deleting a steering direction");
        if (m == null) {
            return;
        }
        try {
            steering.delete(m, id);
            panel.setDirections(steering.list(m));
            steer(List.of());
            panel.say("Deleted");
        } catch (RuntimeException e) {
            panel.say(e.getMessage());
        }
    }

    private void compare() {
        LoadedModel m = model.get();
        List<SteeringService.Applied> asked = panel.applied();
        if (m == null || asked.isEmpty()) {
            panel.say("Choose a direction and a strength other than 0 to compare");
            return;
        }
        Settings s = settings.get();
        CompletionRequest request = SteeringComparison.request(m.id(), s.prompt(), asked, s.temperature(), s.seed(), s.maxTokens());
        String label = panel.getSummaryText().replaceFirst("^Steering: ", "");
        UI ui = UI.getCurrent();
        panel.setComparing(true);
        panel.say("Generating both …");
        Thread.ofVirtual().start(() -> {
            try {
                SteeringComparison.Comparison c = comparison.compare(request, 8);
                UiAccess.later(ui, () -> {
                    compared.show(c, label);
                    panel.say("");
                });
            } catch (RuntimeException e) {
                UiAccess.later(ui, () -> panel.say("Comparison failed: " + e.getMessage()));
            } finally {
                UiAccess.later(ui, () -> panel.setComparing(false));
            }
        });
    }
}
