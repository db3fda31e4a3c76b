package io.gptlens.web.playground;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.HasSize;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.shared.Registration;
import io.gptlens.core.sampling.SamplerChains;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.web.ui.ModelChoice;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The playground's compact bar: the model, the standard sampler settings, the seed, the length,
 * Generate and Stop. It fires {@link SettingsChanged}, {@link GenerateAsked} and {@link StopAsked};
 * the view decides what they do.
 */
public class SettingsBar extends HorizontalLayout {

    /** A sampler setting changed: the distribution is to be reshaped (no model run). */
    public static class SettingsChanged extends ComponentEvent<SettingsBar> {
        SettingsChanged(SettingsBar source) {
            super(source, true);
        }
    }

    /** Generate was pressed. */
    public static class GenerateAsked extends ComponentEvent<SettingsBar> {
        GenerateAsked(SettingsBar source) {
            super(source, true);
        }
    }

    /** Stop was pressed. */
    public static class StopAsked extends ComponentEvent<SettingsBar> {
        StopAsked(SettingsBar source) {
            super(source, true);
        }
    }

    private final NumberField temperature = new NumberField("Temperature");
    private final IntegerField topK = new IntegerField("Top-k");
    private final NumberField topP = new NumberField("Top-p");
    private final NumberField minP = new NumberField("Min-p");
    private final TextField seed = new TextField("Seed");
    private final IntegerField maxTokens = new IntegerField("Max tokens");
    private final Button generate = new Button("Generate");
    private final Button stop = new Button("Stop");

    /** A bar that starts with {@code model}, the page's choice of model. */
    public SettingsBar(ModelChoice model) {
        number(temperature, "temperature", 0, 5, 0.1, 1.0, "0 = always the top token; up to 5 (hosted APIs cap it at 2)");
        temperature.setStepButtonsVisible(true);
        number(topP, "top-p", 0, 1, 0.05, 1.0, "1 = off");
        number(minP, "min-p", 0, 1, 0.01, 0.0, "0 = off");
        topK.setId("top-k");
        topK.setMin(0);
        topK.setValue(0);
        topK.setTooltipText("0 = off");
        topK.setValueChangeMode(ValueChangeMode.EAGER);
        topK.addValueChangeListener(e -> fireEvent(new SettingsChanged(this)));
        seed.setId("seed");
        seed.setValue(Long.toString(ThreadLocalRandom.current().nextLong(1L << 32)));
        seed.setPattern("[0-9]+");
        seed.setTooltipText("same seed + same settings = same tokens");
        seed.setWidth("9em");
        maxTokens.setId("max-tokens");
        maxTokens.setMin(1);
        maxTokens.setMax(4096);
        maxTokens.setValue(64);
        generate.setId("generate");
        generate.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        generate.setTooltipText("Enter in the prompt does the same");
        generate.addClickListener(e -> fireEvent(new GenerateAsked(this)));
        stop.setId("stop");
        stop.setEnabled(false);
        stop.setTooltipText("Esc does the same");
        stop.addClickListener(e -> fireEvent(new StopAsked(this)));
        for (HasSize f : List.<HasSize>of(temperature, topK, topP, minP, maxTokens)) {
            f.setWidth("7.5em");
        }
        add(model, temperature, topK, topP, minP, seed, maxTokens, generate, stop);
        setAlignItems(FlexComponent.Alignment.BASELINE);
        getStyle().set("flex-wrap", "wrap");
    }

    private void number(NumberField f, String id, double min, double max, double step, double value, String tip) {
        f.setId(id);
        f.setMin(min);
        f.setMax(max);
        f.setStep(step);
        f.setValue(value);
        f.setTooltipText(tip);
        f.setValueChangeMode(ValueChangeMode.EAGER);
        f.addValueChangeListener(e -> fireEvent(new SettingsChanged(this)));
    }

    /** The chain the settings describe (temperature 0 = greedy), each value clamped to its range. */
    public List<StageSpec> chain() {
        double t = temperature.getValue() == null ? 1.0 : Math.max(0, Math.min(5, temperature.getValue()));
        int k = topK.getValue() == null ? 0 : Math.max(0, topK.getValue());
        double p = topP.getValue() == null ? 1.0 : Math.max(0.01, Math.min(1, topP.getValue()));
        double m = minP.getValue() == null ? 0.0 : Math.max(0, Math.min(1, minP.getValue()));
        return SamplerChains.standard(t, k, p, m, seed());
    }

    /** The temperature; 1 when the field is empty. */
    public double temperature() {
        return temperature.getValue() == null ? 1.0 : Math.max(0, temperature.getValue());
    }

    /** The seed; 0 when the field holds no number. */
    public long seed() {
        try {
            return Long.parseLong(seed.getValue().trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public int maxTokens() {
        return maxTokens.getValue() == null ? 64 : maxTokens.getValue();
    }

    /** Generate is offered when nothing runs, Stop while something does. */
    public void setGenerating(boolean on) {
        generate.setEnabled(!on);
        stop.setEnabled(on);
    }

    public Registration addSettingsChangedListener(ComponentEventListener<SettingsChanged> l) {
        return addListener(SettingsChanged.class, l);
    }

    public Registration addGenerateListener(ComponentEventListener<GenerateAsked> l) {
        return addListener(GenerateAsked.class, l);
    }

    public Registration addStopListener(ComponentEventListener<StopAsked> l) {
        return addListener(StopAsked.class, l);
    }
}
