package io.gptlens.web.ui;

import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.shared.Registration;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;

import java.util.List;

/**
 * The loaded models that generate (or that another test accepts), as a select that follows the registry while it is shown: a
 * model loaded, unloaded or replaced under its id (a training run's newer checkpoint) is offered
 * at once. It fires {@link Chosen} whenever the model it stands for changes, by a person's choice
 * or by the registry, and only then: loading an unrelated model fires nothing.
 */
public class ModelChoice extends Select<String> {

    /** What a page says when there is no model to choose. */
    public static final String NONE = "No model yet — train the built-in one (Train), load a file or download one (Models).";

    /** The model to use now; null when none is loaded. */
    public static class Chosen extends ComponentEvent<ModelChoice> {
        private final LoadedModel model;

        Chosen(ModelChoice source, LoadedModel model) {
            super(source, false);
            this.model = model;
        }

        public LoadedModel model() {
            return model;
        }
    }

    private final ModelRegistry models;
    private final java.util.function.Predicate<LoadedModel> offered;
    private String wanted;
    private LoadedModel chosen;
    private boolean told;
    private List<String> items = List.of();
    private Runnable stopWatching;

    /** The loaded models that generate. */
    public ModelChoice(ModelRegistry models) {
        this(models, m -> m.model().canGenerate());
    }

    /** The loaded models that {@code offered} accepts. */
    public ModelChoice(ModelRegistry models, java.util.function.Predicate<LoadedModel> offered) {
        this.models = models;
        this.offered = offered;
        setLabel("Model");
        addValueChangeListener(e -> {
            if (e.isFromClient()) {
                wanted = e.getValue();
                refresh();
            }
        });
    }

    /** Prefers the model {@code id} (e.g. from the page's link) when it is loaded; the first one otherwise. */
    public void prefer(String id) {
        wanted = id;
        if (isAttached()) {
            refresh();
        }
    }

    /** The model chosen now, or null. */
    public LoadedModel model() {
        return chosen;
    }

    @Override
    protected void onAttach(AttachEvent e) {
        super.onAttach(e);
        UI ui = e.getUI();
        stopWatching = models.onChange(() -> ui.access(this::refresh));
        refresh();
    }

    @Override
    protected void onDetach(DetachEvent e) {
        if (stopWatching != null) {
            stopWatching.run();
            stopWatching = null;
        }
        super.onDetach(e);
    }

    private void refresh() {
        List<String> ids = models.all().stream().filter(offered).map(LoadedModel::id).toList();
        String keep = wanted != null && ids.contains(wanted) ? wanted : getValue() != null && ids.contains(getValue()) ? getValue()
                : ids.isEmpty() ? null : ids.getFirst();
        if (!ids.equals(items)) {
            items = ids;
            setItems(ids);
        }
        setValue(keep);
        LoadedModel now = keep == null ? null : models.get(keep).orElse(null);
        if (now != chosen || !told) {
            chosen = now;
            told = true;
            fireEvent(new Chosen(this, now));
        }
    }

    public Registration addChosenListener(ComponentEventListener<Chosen> l) {
        return addListener(Chosen.class, l);
    }
}
