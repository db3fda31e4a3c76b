package io.gptlens.web.pluginsview;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.PasswordField;
import com.vaadin.flow.component.upload.Upload;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.gptlens.web.api.ApiException;
import io.gptlens.web.api.PluginsResource;
import io.gptlens.web.plugins.PluginManager;
import io.gptlens.web.ui.MainLayout;

import java.util.Map;

/**
 * Plugins: every sampler and tokenizer provider with its kind, version, status and where it comes
 * from (built-in, a jar on the classpath, or a jar in the plugins folder), and the last error of a
 * failed or rejected one; switch plugin providers on and off; upload and remove jars with the
 * admin token. Jars dropped into the folder show up within a second.
 */
@Route(value = "plugins", layout = MainLayout.class)
@PageTitle("Plugins · GPTLens")
public class PluginsView extends VerticalLayout {

    private final PluginsResource listing;
    private final Grid<Map<String, Object>> grid = new Grid<>();
    private final PasswordField token = new PasswordField("Admin token (for upload and removal)");
    private final Span message = new Span();

    public PluginsView(PluginsResource listing, PluginManager plugins) {
        this.listing = listing;
        grid.setId("plugins-grid");
        grid.addColumn(m -> m.get("name")).setHeader("Name").setAutoWidth(true);
        grid.addColumn(m -> m.get("kind")).setHeader("Kind").setAutoWidth(true);
        grid.addColumn(m -> m.get("version")).setHeader("Version").setAutoWidth(true);
        grid.addColumn(m -> m.get("status")).setHeader("Status").setAutoWidth(true);
        grid.addColumn(m -> m.get("source")).setHeader("Source").setAutoWidth(true);
        grid.addColumn(m -> m.getOrDefault("error", "")).setHeader("Last error").setAutoWidth(true);
        grid.addComponentColumn(this::actions).setHeader("").setAutoWidth(true);
        grid.setAllRowsVisible(true);
        Button refresh = new Button("Refresh", e -> refresh());
        refresh.setId("plugins-refresh");
        Span folder = new Span("Plugins folder: " + plugins.folder() + " (drop a jar in; remove it to unload)");
        folder.setId("plugins-folder");
        token.setId("admin-token");
        message.setId("plugins-message");
        Upload upload = new Upload(event -> {
            UI ui = event.getUI();
            String name = java.nio.file.Path.of(event.getFileName()).getFileName().toString();
            try (var in = event.getInputStream()) {
                var r = listing.upload(name, "Bearer " + token.getValue(), in);
                ui.access(() -> {
                    message.setText("Uploaded " + name + ": " + r.getEntity());
                    refresh();
                });
            } catch (ApiException ex) {
                ui.access(() -> message.setText("Upload of " + name + " refused: " + ex.getMessage()));
            }
        });
        upload.setId("plugin-upload");
        upload.setAcceptedFileTypes(".jar");
        HorizontalLayout admin = new HorizontalLayout(token, upload);
        admin.setAlignItems(FlexComponent.Alignment.BASELINE);
        add(new H3("Samplers and tokenizers"), folder, admin, message, refresh, grid);
        setWidthFull();
    }

    private HorizontalLayout actions(Map<String, Object> row) {
        HorizontalLayout h = new HorizontalLayout();
        String source = String.valueOf(row.get("source"));
        if (source.endsWith(".jar") && !source.startsWith("classpath")) {
            String status = String.valueOf(row.get("status"));
            if (!"rejected".equals(status)) {
                boolean off = "disabled".equals(status);
                Button toggle = new Button(off ? "Enable" : "Disable", e -> {
                    try {
                        listing.enable(String.valueOf(row.get("name")), off ? "enable" : "disable");
                    } catch (ApiException ex) {
                        message.setText(ex.getMessage());
                    }
                    refresh();
                });
                toggle.setId((off ? "enable-" : "disable-") + row.get("name"));
                h.add(toggle);
            }
            Button remove = new Button("Remove jar", e -> {
                try {
                    listing.remove(source, "Bearer " + token.getValue());
                    message.setText("Removed " + source);
                } catch (ApiException | java.io.IOException ex) {
                    message.setText(ex.getMessage());
                }
                refresh();
            });
            remove.addThemeVariants(ButtonVariant.LUMO_ERROR);
            h.add(remove);
        }
        return h;
    }

    @Override
    protected void onAttach(AttachEvent e) {
        refresh();
    }

    private void refresh() {
        grid.setItems(listing.list());
    }
}
