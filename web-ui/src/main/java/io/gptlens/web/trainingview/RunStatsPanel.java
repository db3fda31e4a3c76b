package io.gptlens.web.trainingview;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Paragraph;
import io.gptlens.web.training.TrainingStatus;

import java.util.Locale;

/** A training run's figures as text: progress and speed, the losses against the n-gram baselines, the recipe, an error. */
class RunStatsPanel extends Div {

    RunStatsPanel() {
        setId("run-stats");
    }

    void show(TrainingStatus s) {
        removeAll();
        add(new Paragraph(String.format(Locale.ROOT, "Step %,d of %,d · %,.0f tokens/s · learning rate %.2e · %s elapsed%s",
                s.step(), s.plannedSteps(), s.tokensPerSecond(), s.learningRate(), duration((long) s.elapsedSeconds()),
                s.etaSeconds() == null ? "" : " · ETA " + duration(s.etaSeconds()))));
        add(new Paragraph(String.format(Locale.ROOT, "Training loss %s · validation loss %s nats/token = %s bits/byte on held-out text "
                        + "(unigram %s, bigram %s) · %,d parameters, d = %s, %s layers, vocabulary %s",
                num(s.trainLoss()), num(s.validationLoss()), num(s.bitsPerByte()), num(s.baselines().get("unigram")),
                num(s.baselines().get("bigram")), ((Number) s.recipe().get("parameters")).longValue(), s.recipe().get("embedding"),
                s.recipe().get("layers"), s.recipe().get("vocabulary"))));
        if (s.error() != null) {
            add(new Paragraph("Error: " + s.error()));
        }
    }

    private static String num(Double d) {
        return d == null || d.isNaN() ? "–" : String.format(Locale.ROOT, "%.3f", d);
    }

    static String duration(long seconds) {
        return seconds >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
}
