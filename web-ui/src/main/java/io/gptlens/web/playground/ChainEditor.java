package io.gptlens.web.playground;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.HasValue;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.shared.Registration;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.plugin.ParamSpec;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.web.ui.ParamFields;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Edits a sampler chain: add any registered sampler (built-in, llama.cpp's, plugins), set its
 * parameters in a form built from its {@link ParamSpec}s, move stages up and down, remove them.
 * Fires {@link ChainChanged} on every change. An empty chain means "use the settings above".
 */
public class ChainEditor extends Div {

    /** The chain changed. */
    public static class ChainChanged extends ComponentEvent<ChainEditor> {
        public ChainChanged(ChainEditor source) {
            super(source, false);
        }
    }

    private NamedProviders<SamplerProvider> providers;
    private final List<Stage> stages = new ArrayList<>();
    private final Div list = new Div();
    private final Select<String> add = new Select<>();

    /** One stage being edited: its provider and its field per parameter. */
    private record Stage(SamplerProvider provider, Map<String, HasValue<?, ?>> fields) {
    }

    public ChainEditor(NamedProviders<SamplerProvider> providers) {
        this.providers = providers;
        setId("chain-editor");
        add.setId("chain-add");
        add.setLabel("Add a sampler");
        add.setItems(List.copyOf(providers.all().keySet()));
        add.setItemLabelGenerator(this::label);
        add.addValueChangeListener(e -> {
            if (e.getValue() != null) {
                addStage(e.getValue(), Map.of());
                add.clear();
            }
        });
        list.setId("chain-stages");
        Span hint = new Span("Empty: the temperature, top-k, top-p and min-p settings above are used. A chain that does not end in a picker gets dist.");
        hint.getStyle().set("font-size", "var(--lumo-font-size-s)").set("color", "var(--lumo-secondary-text-color)");
        add(list, add, hint);
    }

    private String label(String name) {
        SamplerProvider p = providers.all().get(name);
        return name + (p != null && p.kind() == SamplerProvider.Kind.PICK ? " (picks)" : "");
    }

    /**
     * Offers {@code now} from here on (a plugin came, went or was configured); stages already in
     * the chain keep their form.
     */
    public void setProviders(NamedProviders<SamplerProvider> now) {
        if (now == providers) {
            return;
        }
        providers = now;
        add.setItems(List.copyOf(now.all().keySet()));
    }

    /** Appends a stage with the given parameter values (others at their defaults). */
    public void addStage(String name, Map<String, ?> values) {
        SamplerProvider p = providers.get(name);
        Map<String, HasValue<?, ?>> fields = new LinkedHashMap<>();
        for (ParamSpec s : p.params()) {
            Object v = values.containsKey(s.name()) ? values.get(s.name()) : s.defaultValue();
            fields.put(s.name(), field(s, v));
        }
        stages.add(new Stage(p, fields));
        render();
        changed();
    }

    private HasValue<?, ?> field(ParamSpec s, Object value) {
        HasValue<?, ?> f = ParamFields.field(s, value);
        f.addValueChangeListener(e -> changed());
        return f;
    }

    private void render() {
        list.removeAll();
        for (int i = 0; i < stages.size(); i++) {
            Stage st = stages.get(i);
            int index = i;
            Span name = new Span((i + 1) + ". " + st.provider().name());
            name.getStyle().set("font-weight", "600").set("min-width", "12em");
            name.getElement().setAttribute("title", st.provider().description());
            HorizontalLayout row = new HorizontalLayout(name);
            st.fields().values().forEach(f -> row.add((com.vaadin.flow.component.Component) f));
            Button up = new Button("↑", e -> move(index, -1));
            Button down = new Button("↓", e -> move(index, 1));
            Button remove = new Button("✕", e -> {
                stages.remove(index);
                render();
                changed();
            });
            up.setEnabled(i > 0);
            down.setEnabled(i < stages.size() - 1);
            remove.setId("chain-remove-" + i);
            up.setId("chain-up-" + i);
            row.add(up, down, remove);
            row.setAlignItems(FlexComponent.Alignment.BASELINE);
            row.setId("chain-stage-" + i);
            list.add(row);
        }
    }

    private void move(int i, int delta) {
        int j = i + delta;
        if (j < 0 || j >= stages.size()) {
            return;
        }
        Stage s = stages.remove(i);
        stages.add(j, s);
        render();
        changed();
    }

    /** The chain as specs, in order (parameter values as the form holds them). */
    public List<StageSpec> stages() {
        List<StageSpec> out = new ArrayList<>();
        for (Stage s : stages) {
            Map<String, Object> params = new LinkedHashMap<>();
            for (ParamSpec p : s.provider().params()) {
                Object v = ParamFields.value(p, s.fields().get(p.name()));
                if (v != null) {
                    params.put(p.name(), v);
                }
            }
            out.add(new StageSpec(s.provider().name(), params));
        }
        return out;
    }

    /** True when no stage is set (the settings fields decide). */
    public boolean isEmpty() {
        return stages.isEmpty();
    }

    private void changed() {
        fireEvent(new ChainChanged(this));
    }

    public Registration addChainChangedListener(ComponentEventListener<ChainChanged> l) {
        return addListener(ChainChanged.class, l);
    }
}
