package io.gptlens.web.modelsview;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
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
import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.ModelAnatomy;
import io.gptlens.core.gguf.TensorInfo;
import io.gptlens.core.model.ModelInfo;
import io.gptlens.llamacpp.LlamaModel;
import io.gptlens.web.api.ApiException;
import io.gptlens.web.models.DownloadService;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelFolders;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.security.AdminGuard;
import io.gptlens.web.ui.AdminTokenField;
import io.gptlens.web.ui.MainLayout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;

/**
 * Models: the loaded models, loading one (from the models folder, by path, by upload, or by
 * download with progress), unloading, and a model's anatomy (facts, parameter counts written out,
 * W_E and W_U, the tensor table). With an admin token configured, every action that changes the
 * server asks for it ({@link AdminTokenField}); a path is confined as {@link ModelFolders} says.
 */
@Route(value = "models", layout = MainLayout.class)
@PageTitle("Models · GPTLens")
public class ModelsView extends VerticalLayout {

    /** Largest upload accepted. */
    static final long MAX_UPLOAD = 8L << 30;

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
    private final TextField url = new TextField("Download: URL or Hugging Face owner/repo/file.gguf");
    private final TextField sha = new TextField("sha256 (optional)");
    private final Button download = new Button("Download");
    private final ProgressBar downloadBar = new ProgressBar();
    private final Span downloadStatus = new Span();
    private final ProgressBar loadBar = new ProgressBar();
    private final Span message = new Span();
    private final Div anatomy = new Div();
    private DownloadService.Download active;

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
        add(new H3("Loaded models"), grid, message, loadBar, loadRow(), folderRow(), downloadRow(), downloadBar, downloadStatus, uploadRow(),
                anatomy);
        setWidthFull();
    }

    private void configureGrid() {
        grid.setId("models-grid");
        grid.addColumn(LoadedModel::id).setHeader("Id").setAutoWidth(true);
        grid.addColumn(m -> m.model().info().architecture()).setHeader("Architecture").setAutoWidth(true);
        grid.addColumn(m -> ModelAnatomy.n(m.model().info().parameterCount())).setHeader("Parameters").setAutoWidth(true);
        grid.addColumn(m -> DownloadService.size(m.model().info().sizeBytes())).setHeader("Size").setAutoWidth(true);
        grid.addColumn(m -> m.model().info().contextLength()).setHeader("Context").setAutoWidth(true);
        grid.addColumn(m -> m.model().info().vocabularySize()).setHeader("Vocabulary").setAutoWidth(true);
        grid.addComponentColumn(m -> {
            Button show = new Button("Anatomy", e -> showAnatomy(m));
            show.setId("anatomy-" + m.id());
            Button unload = new Button("Unload", e -> {
                if (!permitted("Unloading a model", message)) {
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
            if (folder.getValue() != null && permitted("Loading a model", message)) {
                loadInBackground(folder.getValue());
            }
        });
        url.setId("download-url");
        url.setWidth("40em");
        sha.setId("download-sha256");
        sha.setWidth("20em");
        download.setId("download");
        download.addClickListener(e -> startDownload());
        downloadBar.setId("download-progress");
        downloadBar.setVisible(false);
        downloadStatus.setId("download-status");
        loadBar.setId("load-progress");
        loadBar.setVisible(false);
        message.setId("models-message");
        anatomy.setId("anatomy");
        anatomy.setWidthFull();
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

    private HorizontalLayout downloadRow() {
        HorizontalLayout r = new HorizontalLayout(url, sha, download);
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
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._+-]{0,200}\\.gguf")) {
                event.reject("Only .gguf files with a plain name");
                return;
            }
            Path target = registry.modelsFolder().resolve(name);
            if (Files.exists(target)) {
                event.reject(name + " is already in the models folder");
                return;
            }
            Files.createDirectories(target.getParent());
            Path part = target.resolveSibling(name + ".part");
            long n = 0;
            try (InputStream in = event.getInputStream(); OutputStream out = Files.newOutputStream(part)) {
                byte[] buf = new byte[1 << 16];
                for (int k; (k = in.read(buf)) > 0; ) {
                    n += k;
                    if (n > MAX_UPLOAD) {
                        throw new IOException("larger than the limit of " + DownloadService.size(MAX_UPLOAD));
                    }
                    if (n == k && (k < 4 || buf[0] != 'G' || buf[1] != 'G' || buf[2] != 'U' || buf[3] != 'F')) {
                        throw new IOException("not a GGUF file (it does not start with 'GGUF')");
                    }
                    out.write(buf, 0, k);
                }
            } catch (IOException e) {
                Files.deleteIfExists(part);
                ui.access(() -> message.setText("Upload of " + name + " refused: " + e.getMessage()));
                return;
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            ui.access(() -> loadInBackground(target));
        };
        Upload upload = new Upload(handler);
        upload.setId("upload");
        upload.setAcceptedFileTypes(".gguf");
        upload.setMaxFileSize((int) Math.min(Integer.MAX_VALUE, MAX_UPLOAD));
        HorizontalLayout r = new HorizontalLayout(new Span("Upload a .gguf file:"), upload);
        r.setAlignItems(FlexComponent.Alignment.CENTER);
        return r;
    }

    @Override
    protected void onAttach(AttachEvent e) {
        refresh();
        UI ui = e.getUI();
        ui.setPollInterval(300);
        ui.addPollListener(p -> pollDownload());
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
                    showAnatomy(m);
                });
            } catch (ApiException | IllegalStateException ex) {
                ui.access(() -> {
                    loadBar.setVisible(false);
                    message.setText("Could not load " + file + ": " + ex.getMessage());
                });
            }
        });
    }

    /** Loads the file named in the path field, confined to the models folders when the server is open to the network. */
    private void loadByPath() {
        if (!permitted("Loading a model", message)) {
            return;
        }
        try {
            loadInBackground(folders.confine(Path.of(path.getValue().trim())));
        } catch (ApiException | java.nio.file.InvalidPathException ex) {
            message.setText("Could not load " + path.getValue().trim() + ": " + ex.getMessage());
        }
    }

    /** Whether {@code action} may go ahead; if not, says why in {@code where}. */
    private boolean permitted(String action, Span where) {
        String refused = token.refusal(admin, action);
        if (refused != null) {
            where.setText(refused);
        }
        return refused == null;
    }

    private void startDownload() {
        if (!permitted("Downloading a model", downloadStatus)) {
            return;
        }
        try {
            active = downloads.start(url.getValue(), sha.getValue());
            downloadBar.setVisible(true);
            downloadBar.setIndeterminate(true);
            downloadStatus.setText("Starting " + active.url());
        } catch (IllegalArgumentException ex) {
            downloadStatus.setText(ex.getMessage());
        }
    }

    private void pollDownload() {
        DownloadService.Download d = active;
        if (d == null) {
            return;
        }
        DownloadService.Progress p = d.progress();
        double f = p.fraction();
        downloadBar.setIndeterminate(f < 0);
        if (f >= 0) {
            downloadBar.setValue(f);
        }
        downloadStatus.setText(d.target().getFileName() + ": " + p.describe());
        downloadStatus.getElement().setAttribute("data-state", p.state());
        if (d.done().isDone()) {
            active = null;
            if (!d.done().isCompletedExceptionally()) {
                loadInBackground(d.target());
            }
        }
    }

    private void showAnatomy(LoadedModel m) {
        anatomy.removeAll();
        ModelInfo i = m.model().info();
        anatomy.add(new H3("Anatomy of " + m.id()));
        Div facts = new Div();
        facts.setId("anatomy-facts");
        facts.add(line("Architecture", i.architecture()), line("Context length", ModelAnatomy.n(i.contextLength())),
                line("Embedding size d_embd", ModelAnatomy.n(i.embeddingLength())), line("Layers", Integer.toString(i.layers())),
                line("Attention heads", i.heads() + (i.headsKv() != i.heads() ? " (" + i.headsKv() + " key/value heads)" : "")),
                line("Vocabulary n_vocab", ModelAnatomy.n(i.vocabularySize())), line("Description", i.description()));
        anatomy.add(facts);
        if (!(m.model() instanceof LlamaModel lm)) {
            return;
        }
        GgufFile f = lm.gguf();
        facts.add(line("Quantization", ModelAnatomy.quantization(f)));
        Div groups = new Div();
        groups.setId("anatomy-params");
        for (ModelAnatomy.Group g : ModelAnatomy.groups(f)) {
            groups.add(line(g.name(), g.formula()));
        }
        anatomy.add(new H3("Parameters"), groups);
        String we = f.tensor("token_embd.weight").map(t -> "W_E: " + shape(t)).orElse("W_E: none");
        String wu = f.tensor("output.weight").map(t -> "W_U: " + shape(t)).orElse("W_U: tied to W_E (the same matrix, used transposed)");
        Div mats = new Div(new Div(we), new Div(wu));
        mats.setId("anatomy-matrices");
        anatomy.add(mats);
        Grid<TensorInfo> tensors = new Grid<>();
        tensors.setId("tensors");
        tensors.addColumn(TensorInfo::name).setHeader("Tensor").setAutoWidth(true);
        tensors.addColumn(t -> Arrays.toString(t.shape())).setHeader("Shape (ggml order)").setAutoWidth(true);
        tensors.addColumn(TensorInfo::type).setHeader("Type").setAutoWidth(true);
        tensors.addColumn(t -> ModelAnatomy.n(t.elementCount())).setHeader("Parameters").setAutoWidth(true);
        tensors.addColumn(t -> DownloadService.size(t.byteSize())).setHeader("Bytes").setAutoWidth(true);
        tensors.setItems(List.copyOf(f.tensors().values()));
        tensors.setHeight("30em");
        anatomy.add(new H3("Tensors"), tensors);
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
