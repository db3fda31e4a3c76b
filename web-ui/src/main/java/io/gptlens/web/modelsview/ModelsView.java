package io.gptlens.web.modelsview;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.progressbar.ProgressBar;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.component.upload.Upload;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.streams.UploadHandler;
import io.gptlens.core.gguf.ModelAnatomy;
import io.gptlens.web.models.ModelException;
import io.gptlens.web.models.DownloadService;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelFolders;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.security.AdminGuard;
import io.gptlens.web.ui.AdminTokenField;
import io.gptlens.web.ui.MainLayout;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Models: the loaded models, loading one (from the models folder, by path, by upload, or by
 * download with progress), unloading, and a model's anatomy (facts, parameter counts written out,
 * W_E and W_U, the tensor table). With an admin token configured, every action that changes the
 * server asks for it ({@link AdminTokenField}); a path is confined as {@link ModelFolders} says.
 */
@Route(value = "models", layout = MainLayout.class)
@PageTitle("Models · GPTLens")
public class ModelsView extends VerticalLayout {

    private final ModelRegistry registry;
    private final DownloadService downloads;
    private final ModelFolders folders;
    private final AdminGuard admin;
    private final AdminTokenField token = new AdminTokenField();
    private final Grid<LoadedModel> grid = new Grid<>();
    private final TextField path = new TextField("Load a GGUF file by path");
    private final Button load = new Button("Load");
    private final Select<Path> folder = new Select<>();
    private final Button loadFolder = new Button("Load");
    private final DownloadPanel download = new DownloadPanel();
    private final ProgressBar loadBar = new ProgressBar();
    private final Span message = new Span();
    private final AnatomyPanel anatomy = new AnatomyPanel();

    public ModelsView(ModelRegistry registry, DownloadService downloads, ModelFolders folders, AdminGuard admin) {
        this.registry = registry;
        this.downloads = downloads;
        this.folders = folders;
        this.admin = admin;
        configureGrid();
        configureForms();
        if (admin.required()) {
            add(token);
        }
        add(new H3("Loaded models"), grid, message, loadBar, loadRow(), folderRow(), download, uploadRow(), anatomy);
        setWidthFull();
    }

    private void configureGrid() {
        grid.setId("models-grid");
        grid.setEmptyStateText("No model yet — train the built-in one (Train), load a file or download one (below).");
        grid.addColumn(LoadedModel::id).setHeader("Id").setAutoWidth(true);
        grid.addColumn(m -> m.model().info().architecture()).setHeader("Architecture").setAutoWidth(true);
        grid.addColumn(m -> ModelAnatomy.n(m.model().info().parameterCount())).setHeader("Parameters").setAutoWidth(true);
        grid.addColumn(m -> DownloadService.size(m.model().info().sizeBytes())).setHeader("Size").setAutoWidth(true);
        grid.addColumn(m -> m.model().info().contextLength()).setHeader("Context").setAutoWidth(true);
        grid.addColumn(m -> m.model().info().vocabularySize()).setHeader("Vocabulary").setAutoWidth(true);
        grid.addComponentColumn(m -> {
            Button show = new Button("Anatomy", e -> anatomy.show(m));
            show.setId("anatomy-" + m.id());
            Button unload = new Button("Unload", e -> {
                if (!permitted("Unloading a model")) {
                    return;
                }
                registry.unload(m.id());
                refresh();
                anatomy.removeAll();
                message.setText("Unloaded " + m.id());
            });
            unload.setId("unload-" + m.id());
            unload.addThemeVariants(ButtonVariant.LUMO_ERROR);
            return new HorizontalLayout(show, unload);
        }).setHeader("").setAutoWidth(true);
        grid.setAllRowsVisible(true);
    }

    private void configureForms() {
        path.setId("load-path");
        path.setWidth("40em");
        load.setId("load");
        load.addClickListener(e -> loadByPath());
        folder.setId("folder-select");
        folder.setLabel("From the models folder (" + registry.modelsFolder() + ")");
        folder.setItemLabelGenerator(p -> p.getFileName().toString());
        loadFolder.setId("load-folder");
        loadFolder.addClickListener(e -> {
            if (folder.getValue() != null && permitted("Loading a model")) {
                loadInBackground(folder.getValue());
            }
        });
        download.addDownloadAskedListener(e -> startDownload(e.url(), e.sha256()));
        download.addDownloadedListener(e -> loadInBackground(e.file()));
        loadBar.setId("load-progress");
        loadBar.setVisible(false);
        message.setId("models-message");
    }

    private HorizontalLayout loadRow() {
        HorizontalLayout r = new HorizontalLayout(path, load);
        r.setAlignItems(FlexComponent.Alignment.BASELINE);
        return r;
    }

    private HorizontalLayout folderRow() {
        HorizontalLayout r = new HorizontalLayout(folder, loadFolder);
        r.setAlignItems(FlexComponent.Alignment.BASELINE);
        return r;
    }

    private HorizontalLayout uploadRow() {
        UploadHandler handler = event -> {
            String name = Path.of(event.getFileName()).getFileName().toString();
            UI ui = event.getUI();
            if (token.rejectUpload(event, admin, "Uploading a model", message)) {
                return;
            }
            try {
                Path target = registry.receive(name, event.getInputStream());
                ui.access(() -> loadInBackground(target));
            } catch (IOException | ModelException e) {
                ui.access(() -> message.setText("Upload of " + name + " refused: " + e.getMessage()));
            }
        };
        Upload upload = new Upload(handler);
        upload.setId("upload");
        upload.setAcceptedFileTypes(".gguf");
        upload.setMaxFileSize((int) Math.min(Integer.MAX_VALUE, ModelRegistry.MAX_UPLOAD));
        HorizontalLayout r = new HorizontalLayout(new Span("Upload a .gguf file:"), upload);
        r.setAlignItems(FlexComponent.Alignment.CENTER);
        return r;
    }

    @Override
    protected void onAttach(AttachEvent e) {
        refresh();
        UI ui = e.getUI();
        ui.setPollInterval(300);
        ui.addPollListener(p -> download.poll());
    }

    @Override
    protected void onDetach(DetachEvent e) {
        e.getUI().setPollInterval(-1);
    }

    private void refresh() {
        grid.setItems(registry.all());
        folder.setItems(registry.modelsFolderFiles());
    }

    private void loadInBackground(Path file) {
        UI ui = UI.getCurrent();
        loadBar.setVisible(true);
        loadBar.setValue(0);
        message.setText("Loading " + file + " …");
        Thread.ofVirtual().start(() -> {
            try {
                LoadedModel m = registry.load(file, p -> ui.access(() -> loadBar.setValue(Math.max(0, Math.min(1, p)))));
                ui.access(() -> {
                    loadBar.setVisible(false);
                    message.setText("Loaded " + m.id());
                    refresh();
                    anatomy.show(m);
                });
            } catch (ModelException | IllegalStateException ex) {
                ui.access(() -> {
                    loadBar.setVisible(false);
                    message.setText("Could not load " + file + ": " + ex.getMessage());
                });
            }
        });
    }

    /** Loads the file named in the path field, confined to the models folders when the server is open to the network. */
    private void loadByPath() {
        if (!permitted("Loading a model")) {
            return;
        }
        try {
            loadInBackground(folders.confine(Path.of(path.getValue().trim())));
        } catch (ModelException | java.nio.file.InvalidPathException ex) {
            message.setText("Could not load " + path.getValue().trim() + ": " + ex.getMessage());
        }
    }

    /** Whether {@code action} may go ahead; if not, says why in the message line. */
    private boolean permitted(String action) {
        String refused = token.refusal(admin, action);
        if (refused != null) {
            message.setText(refused);
        }
        return refused == null;
    }

    /** Starts downloading {@code url} (checked against {@code sha256} when given) and has the download form follow it. */
    private void startDownload(String url, String sha256) {
        String refused = token.refusal(admin, "Downloading a model");
        if (refused != null) {
            download.say(refused);
            return;
        }
        try {
            download.follow(downloads.start(url, sha256));
        } catch (ModelException ex) {
            download.say(ex.getMessage());
        }
    }
}
