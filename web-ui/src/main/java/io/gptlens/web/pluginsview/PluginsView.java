package io.gptlens.web.pluginsview;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.HasHelper;
import com.vaadin.flow.component.HasValue;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.upload.Upload;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.gptlens.core.plugin.ParamSpec;
import io.gptlens.web.plugins.PluginCatalog;
import io.gptlens.web.plugins.PluginException;
import io.gptlens.web.plugins.PluginManager;
import io.gptlens.web.security.AccessDenied;
import io.gptlens.web.security.AdminGuard;
import io.gptlens.web.ui.AdminTokenField;
import io.gptlens.web.ui.MainLayout;
import io.gptlens.web.ui.ParamFields;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Plugins: every sampler and tokenizer provider with its kind, version, status and where it comes
 * from (built-in, a jar on the classpath, or a jar in the plugins folder), and the last error of a
 * failed or rejected one; switch plugin providers on and off and set a sampler's defaults (with the
 * admin token when one is configured); upload and remove jars (always with the admin token). Jars
 * dropped into the folder show up within a second.
 */
@Route(value = "plugins", layout = MainLayout.class)
@PageTitle("Plugins · GPTLens")
public class PluginsView extends VerticalLayout {

    private final PluginCatalog catalog;
    private final PluginManager plugins;
    private final AdminGuard admin;
    private final Grid<PluginCatalog.Entry> grid = new Grid<>();
    private final AdminTokenField token = new AdminTokenField();
    private final Span message = new Span();

    public PluginsView(PluginCatalog catalog, PluginManager plugins, AdminGuard admin) {
        this.catalog = catalog;
        this.plugins = plugins;
        this.admin = admin;
        grid.setId("plugins-grid");
        grid.addComponentColumn(m -> {
            Span n = new Span(m.name());
            n.getElement().setAttribute("title", m.description());
            return n;
        }).setHeader("Name").setAutoWidth(true);
        grid.addColumn(PluginCatalog.Entry::kind).setHeader("Kind").setAutoWidth(true);
        grid.addColumn(PluginCatalog.Entry::version).setHeader("Version").setAutoWidth(true);
        grid.addColumn(m -> m.status().label()).setHeader("Status").setAutoWidth(true);
        grid.addColumn(PluginCatalog.Entry::source).setHeader("Source").setAutoWidth(true);
        grid.addColumn(m -> m.settings().entrySet().stream().map(x -> x.getKey() + " = " + x.getValue())
                .collect(java.util.stream.Collectors.joining(", "))).setHeader("Settings").setAutoWidth(true);
        grid.addColumn(m -> m.error() == null ? "" : m.error()).setHeader("Last error").setAutoWidth(true);
        grid.addComponentColumn(this::actions).setHeader("").setAutoWidth(true).setFrozenToEnd(true);
        grid.setAllRowsVisible(true);
        Button refresh = new Button("Refresh", e -> refresh());
        refresh.setId("plugins-refresh");
        Span folder = new Span("Plugins folder: " + plugins.folder() + " (drop a jar in; remove it to unload)");
        folder.setId("plugins-folder");
        message.setId("plugins-message");
        Upload upload = new Upload(event -> {
            UI ui = event.getUI();
            String name = java.nio.file.Path.of(event.getFileName()).getFileName().toString();
            String[] typed = new String[1];
            ui.accessSynchronously(() -> typed[0] = token.token());
            try (var in = event.getInputStream()) {
                admin.checkStrict(typed[0], "Uploading a plugin");
                PluginCatalog.Installed r = catalog.install(name, in);
                ui.access(() -> {
                    message.setText("Uploaded " + r.jar() + ": " + String.join(", ", r.providers()));
                    refresh();
                });
            } catch (PluginException | AccessDenied | java.io.IOException ex) {
                ui.access(() -> message.setText("Upload of " + name + " refused: " + ex.getMessage()));
            }
        });
        upload.setId("plugin-upload");
        upload.setAcceptedFileTypes(".jar");
        HorizontalLayout adminRow = admin.required() ? new HorizontalLayout(token, upload) : new HorizontalLayout(upload);
        adminRow.setAlignItems(FlexComponent.Alignment.BASELINE);
        add(new H3("Samplers and tokenizers"), folder, adminRow, message, refresh, grid);
        setWidthFull();
    }

    private HorizontalLayout actions(PluginCatalog.Entry row) {
        HorizontalLayout h = new HorizontalLayout();
        String name = row.name();
        var provider = "sampler".equals(row.kind()) ? plugins.samplers().all().get(name) : null;
        if (provider != null && !provider.params().isEmpty() && row.status() != PluginCatalog.Status.CONFLICT) {
            Button configure = new Button("Configure", e -> configure(name));
            configure.setId("configure-" + name);
            h.add(configure);
        }
        String source = row.source();
        if (source.endsWith(".jar") && !source.startsWith("classpath")) {
            if (row.status() != PluginCatalog.Status.REJECTED) {
                boolean off = row.status() == PluginCatalog.Status.DISABLED;
                Button toggle = new Button(off ? "Enable" : "Disable", e -> {
                    try {
                        admin.check(token.token(), "Switching a plugin on or off");
                        if (!plugins.setEnabled(name, off)) {
                            message.setText("No plugin provides '" + name + "' any more");
                        }
                    } catch (AccessDenied ex) {
                        message.setText(AdminTokenField.explain(ex));
                    }
                    refresh();
                });
                toggle.setId((off ? "enable-" : "disable-") + name);
                h.add(toggle);
            }
            Button remove = new Button("Remove jar", e -> {
                try {
                    admin.checkStrict(token.token(), "Removing a plugin");
                    catalog.remove(source);
                    message.setText("Removed " + source);
                } catch (PluginException | java.io.IOException ex) {
                    message.setText(ex.getMessage());
                } catch (AccessDenied ex) {
                    message.setText(AdminTokenField.explain(ex));
                }
                refresh();
            });
            remove.addThemeVariants(ButtonVariant.LUMO_ERROR);
            remove.setId("remove-" + source);
            h.add(remove);
        }
        return h;
    }

    /** A form of the sampler's parameters; saving makes the values its defaults everywhere (API, playground, chains). */
    private void configure(String name) {
        var provider = plugins.samplers().all().get(name);
        if (provider == null) {
            message.setText("'" + name + "' is gone");
            refresh();
            return;
        }
        var own = PluginManager.origin(provider);
        Map<String, Object> configured = plugins.configuration(name);
        Dialog dialog = new Dialog();
        dialog.setHeaderTitle("Defaults of " + name);
        dialog.setId("config-dialog");
        Map<String, HasValue<?, ?>> fields = new LinkedHashMap<>();
        VerticalLayout form = new VerticalLayout();
        Span doc = new Span(own.description());
        doc.getStyle().set("color", "var(--lumo-secondary-text-color)");
        form.add(doc);
        for (ParamSpec s : own.params()) {
            HasValue<?, ?> f = ParamFields.field(s, configured.getOrDefault(s.name(), s.defaultValue()));
            if (f instanceof HasHelper hh) {
                hh.setHelperText("its own default: " + s.defaultValue() + " · " + s.doc());
            }
            ((com.vaadin.flow.component.Component) f).setId("config-" + s.name());
            fields.put(s.name(), f);
            form.add((com.vaadin.flow.component.Component) f);
        }
        Span error = new Span();
        error.setId("config-error");
        error.getStyle().set("color", "var(--lumo-error-text-color)");
        form.add(error);
        dialog.add(form);
        Button save = new Button("Save", e -> {
            Map<String, Object> values = new LinkedHashMap<>();
            for (ParamSpec s : own.params()) {
                Object v = ParamFields.value(s, fields.get(s.name()));
                if (v != null && !v.equals(normalised(s, s.defaultValue()))) {
                    values.put(s.name(), v);
                }
            }
            try {
                admin.check(token.token(), "Configuring a sampler");
                if (!plugins.configure(name, values)) {
                    error.setText("'" + name + "' is gone");
                    return;
                }
                message.setText(values.isEmpty() ? name + " uses its own defaults" : "Saved defaults of " + name + ": " + values);
                dialog.close();
                refresh();
            } catch (IllegalArgumentException ex) {
                error.setText(ex.getMessage());
            } catch (AccessDenied ex) {
                error.setText(AdminTokenField.explain(ex));
            }
        });
        save.setId("config-save");
        save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        Button reset = new Button("Restore its defaults", e -> {
            try {
                admin.check(token.token(), "Configuring a sampler");
                plugins.configure(name, Map.of());
                message.setText(name + " uses its own defaults");
                dialog.close();
                refresh();
            } catch (AccessDenied ex) {
                error.setText(AdminTokenField.explain(ex));
            }
        });
        reset.setId("config-reset");
        Button cancel = new Button("Cancel", e -> dialog.close());
        dialog.getFooter().add(reset, cancel, save);
        dialog.open();
    }

    private static Object normalised(ParamSpec s, Object v) {
        return s.type() == ParamSpec.Type.INT ? (Object) ((Number) v).longValue() : s.type() == ParamSpec.Type.FLOAT ? (Object) ((Number) v).doubleValue() : v;
    }

    private Runnable stopWatching;

    @Override
    protected void onAttach(AttachEvent e) {
        refresh();
        UI ui = e.getUI();
        stopWatching = plugins.addChangeListener(() -> ui.access(this::refresh)); // jars come and go while the page is open
    }

    @Override
    protected void onDetach(com.vaadin.flow.component.DetachEvent e) {
        if (stopWatching != null) {
            stopWatching.run();
            stopWatching = null;
        }
    }

    private void refresh() {
        grid.setItems(catalog.list());
    }
}
