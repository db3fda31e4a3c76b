package io.gptlens.web.trainingview;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.upload.Upload;
import com.vaadin.flow.server.streams.UploadHandler;
import com.vaadin.flow.shared.Registration;
import io.gptlens.web.training.TrainingService;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a new training run is to be: the corpus, the preset, the steps and the seed, a button that
 * fires {@link StartAsked} with them, and an upload for a corpus of one's own. The upload's handler
 * is the view's, since it runs off the UI thread and hands the text to the service; the view then
 * offers the new corpus here ({@link #setCorpora}, {@link #selectCorpus}).
 */
class RunForm extends VerticalLayout {

    /** Start was clicked: a run on {@code corpus} with {@code preset}, {@code steps} and {@code seed}, null where left empty. */
    static class StartAsked extends ComponentEvent<RunForm> {
        private final String corpus;
        private final String preset;
        private final Long steps;
        private final Long seed;

        StartAsked(RunForm source, String corpus, String preset, Long steps, Long seed) {
            super(source, true);
            this.corpus = corpus;
            this.preset = preset;
            this.steps = steps;
            this.seed = seed;
        }

        String corpus() {
            return corpus;
        }

        String preset() {
            return preset;
        }

        /** The steps to train, or null for the preset's time budget. */
        Long steps() {
            return steps;
        }

        Long seed() {
            return seed;
        }
    }

    private final Select<String> corpus = new Select<>();
    private final Select<String> preset = new Select<>();
    private final IntegerField steps = new IntegerField("Steps (empty: the preset's time budget)");
    private final IntegerField seed = new IntegerField("Seed");
    private final Button start = new Button("Start training");
    private final Map<String, String> corpusLabels = new LinkedHashMap<>();

    /** A form whose upload hands each corpus of one's own to {@code uploads}, off the UI thread. */
    RunForm(UploadHandler uploads) {
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
        start.addClickListener(e -> fireEvent(new StartAsked(this, corpus.getValue(), preset.getValue(),
                asLong(steps.getValue()), asLong(seed.getValue()))));
        Upload upload = new Upload(uploads);
        upload.setId("train-upload");
        upload.setAcceptedFileTypes(".txt", "text/plain");
        HorizontalLayout row = new HorizontalLayout(corpus, preset, steps, seed, start);
        row.setAlignItems(FlexComponent.Alignment.BASELINE);
        HorizontalLayout up = new HorizontalLayout(new Span("Or train on your own UTF-8 text:"), upload);
        up.setAlignItems(FlexComponent.Alignment.CENTER);
        setPadding(false);
        add(row, up);
    }

    /** Offers the built-in corpus and {@code uploaded}, keeping the choice when it is still among them. */
    void setCorpora(List<TrainingService.CorpusInfo> uploaded) {
        corpusLabels.clear();
        corpusLabels.put("builtin", "Built-in: State of the Union addresses (10.7 MB)");
        for (TrainingService.CorpusInfo c : uploaded) {
            corpusLabels.put(c.id(), c.name() + " (" + c.bytes() + " bytes)");
        }
        String was = corpus.getValue();
        corpus.setItems(new ArrayList<>(corpusLabels.keySet()));
        corpus.setValue(was != null && corpusLabels.containsKey(was) ? was : "builtin");
    }

    /** Chooses the corpus {@code id}, one of those offered. */
    void selectCorpus(String id) {
        corpus.setValue(id);
    }

    Registration addStartAskedListener(ComponentEventListener<StartAsked> l) {
        return addListener(StartAsked.class, l);
    }

    private static Long asLong(Integer n) {
        return n == null ? null : n.longValue();
    }
}
