package io.gptlens.web.pluginsview;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.gptlens.web.api.PluginsResource;
import io.gptlens.web.plugins.PluginManager;
import io.gptlens.web.ui.MainLayout;

import java.util.Map;

/**
 * Plugins: every sampler and tokenizer provider with its kind, version, status and where it comes
 * from (built-in, a jar on the classpath, or a jar in the plugins folder), and the last error of a
 * failed or rejected one. Jars dropped into the folder show up within a second.
 */
@Route(value = "plugins", layout = MainLayout.class)
@PageTitle("Plugins · GPTLens")
public class PluginsView extends VerticalLayout {

    private final PluginsResource listing;
    private final Grid<Map<String, Object>> grid = new Grid<>();

    public PluginsView(PluginsResource listing, PluginManager plugins) {
        this.listing = listing;
        grid.setId("plugins-grid");
        grid.addColumn(m -> m.get("name")).setHeader("Name").setAutoWidth(true);
        grid.addColumn(m -> m.get("kind")).setHeader("Kind").setAutoWidth(true);
        grid.addColumn(m -> m.get("version")).setHeader("Version").setAutoWidth(true);
        grid.addColumn(m -> m.get("status")).setHeader("Status").setAutoWidth(true);
        grid.addColumn(m -> m.get("source")).setHeader("Source").setAutoWidth(true);
        grid.addColumn(m -> m.getOrDefault("error", "")).setHeader("Last error").setAutoWidth(true);
        grid.setAllRowsVisible(true);
        Button refresh = new Button("Refresh", e -> refresh());
        refresh.setId("plugins-refresh");
        Span folder = new Span("Plugins folder: " + plugins.folder() + " (drop a jar in; remove it to unload)");
        folder.setId("plugins-folder");
        add(new H3("Samplers and tokenizers"), folder, refresh, grid);
        setWidthFull();
    }

    @Override
    protected void onAttach(AttachEvent e) {
        refresh();
    }

    private void refresh() {
        grid.setItems(listing.list());
    }
}
