package io.gptlens.web.steering;

import com.vaadin.flow.component.ComponentEvent;
import com.vaadin.flow.component.ComponentEventListener;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.details.Details;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.dom.DebouncePhase;
import com.vaadin.flow.dom.Element;
import com.vaadin.flow.shared.Registration;
import io.gptlens.core.steering.Contrastive;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The steering controls of the playground and the walk: a saved direction, a strength slider from
 * {@code -MAX} to {@code +MAX}, the layers it is added after, rows to make a direction from W_E
 * arithmetic ({@code to − from}) or from contrastive prompts (mean difference or first principal
 * component), and "Compare" for the side-by-side view. It fires typed events;
 * the page answers them through {@link SteeringService} and {@link SteeringComparison}.
 */
public class SteeringPanel extends Details {

    /** The slider's bound, either way. */
    public static final double MAX = 10;

    /** The steering asked for changed; {@code applied} is empty for none (no direction, or strength 0). */
    public static final class Changed extends ComponentEvent<SteeringPanel> {
        private final List<SteeringService.Applied> applied;

        Changed(SteeringPanel source, List<SteeringService.Applied> applied) {
            super(source, true);
            this.applied = applied;
        }

        public List<SteeringService.Applied> applied() {
            return applied;
        }
    }

    /** "Make" was pressed: a direction {@code to − from} in W_E. */
    public static final class MakeAsked extends ComponentEvent<SteeringPanel> {
        private final String from;
        private final String to;

        MakeAsked(SteeringPanel source, String from, String to) {
            super(source, true);
            this.from = from;
            this.to = to;
        }

        public String from() {
            return from;
        }

        public String to() {
            return to;
        }
    }

    /** "Make from prompts" was pressed: the contrast of two sets of prompts, one per line. */
    public static final class ContrastAsked extends ComponentEvent<SteeringPanel> {
        private final List<String> positive;
        private final List<String> negative;
        private final Contrastive.Method method;

        ContrastAsked(SteeringPanel source, List<String> positive, List<String> negative, Contrastive.Method method) {
            super(source, true);
            this.positive = positive;
            this.negative = negative;
            this.method = method;
        }

        public List<String> positive() {
            return positive;
        }

        public List<String> negative() {
            return negative;
        }

        public Contrastive.Method method() {
            return method;
        }
    }

    /** "Delete" was pressed for the chosen direction. */
    public static final class DeleteAsked extends ComponentEvent<SteeringPanel> {
        private final String id;

        DeleteAsked(SteeringPanel source, String id) {
            super(source, true);
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    /** "Compare" was pressed: the same prompt with and without the steering. */
    public static final class CompareAsked extends ComponentEvent<SteeringPanel> {
        CompareAsked(SteeringPanel source) {
            super(source, true);
        }
    }

    private final Select<SteeringService.Saved> direction = new Select<>();
    private final Element slider = new Element("input");
    private final Span strengthValue = new Span();
    private final IntegerField first = new IntegerField("From layer");
    private final IntegerField last = new IntegerField("to layer");
    private final TextField from = new TextField("W_E: from");
    private final TextField to = new TextField("to");
    private final TextArea positive = new TextArea("Positive prompts (one per line)");
    private final TextArea negative = new TextArea("Negative prompts");
    private final Select<Contrastive.Method> method = new Select<>();
    private final Span message = new Span();
    private final Button compare = new Button("Compare with and without");
    private final Div makeRow;
    private double strength;
    private boolean quiet;

    public SteeringPanel() {
        setSummaryText("Steering: off");
        setId("steering");
        addClassName("steering-panel");
        getStyle().set("flex-shrink", "0");
        direction.setId("steer-direction");
        direction.setLabel("Direction");
        direction.setEmptySelectionAllowed(true);
        direction.setEmptySelectionCaption("none");
        direction.setItemLabelGenerator(s -> s == null ? "none" : s.name() + " (layers " + s.first() + "–" + s.last() + ")");
        direction.addValueChangeListener(e -> {
            SteeringService.Saved s = e.getValue();
            boolean was = quiet;
            quiet = true;
            first.setValue(s == null ? null : s.first());
            last.setValue(s == null ? null : s.last());
            quiet = was;
            if (!was) {
                changed();
            }
        });
        slider.setAttribute("type", "range");
        slider.setAttribute("id", "steer-strength");
        slider.setAttribute("min", Double.toString(-MAX));
        slider.setAttribute("max", Double.toString(MAX));
        slider.setAttribute("step", "0.1");
        slider.setAttribute("aria-label", "steering strength");
        slider.setProperty("value", "0");
        slider.addEventListener("input", e -> {
            double x = e.getEventData().get("element.valueAsNumber").asDouble();
            strength = Double.isFinite(x) ? Math.max(-MAX, Math.min(MAX, x)) : 0; // the bounds are the browser's to keep, and checked here
            changed();
        }).addEventData("element.valueAsNumber").debounce(150, DebouncePhase.TRAILING);
        strengthValue.setId("steer-strength-value");
        first.setId("steer-first");
        last.setId("steer-last");
        for (IntegerField f : List.of(first, last)) {
            f.setWidth("7em");
            f.setStepButtonsVisible(true);
            f.addValueChangeListener(e -> {
                if (!quiet) {
                    changed();
                }
            });
        }
        from.setId("steer-from");
        to.setId("steer-to");
        from.setPlaceholder("man");
        to.setPlaceholder("woman");
        Button make = new Button("Make direction", e -> fireEvent(new MakeAsked(this, from.getValue().strip(), to.getValue().strip())));
        make.setId("steer-make");
        Button delete = new Button("Delete", e -> {
            if (direction.getValue() != null) {
                fireEvent(new DeleteAsked(this, direction.getValue().id()));
            }
        });
        delete.setId("steer-delete");
        compare.setId("steer-compare");
        compare.addClickListener(e -> fireEvent(new CompareAsked(this)));
        message.setId("steer-message");
        message.addClassName("steer-message");
        Div strengthBox = new Div();
        strengthBox.addClassName("steer-strength");
        strengthBox.getElement().appendChild(new Element("label").setText("Strength").setAttribute("for", "steer-strength"), slider);
        strengthBox.add(strengthValue);
        Div apply = row(direction, strengthBox, first, last, delete, compare);
        makeRow = row(from, to, make);
        positive.setId("steer-positive");
        negative.setId("steer-negative");
        positive.setPlaceholder("Lily was very happy");
        negative.setPlaceholder("Lily was very sad");
        for (TextArea a : List.of(positive, negative)) {
            a.setWidth("18em");
        }
        method.setId("steer-method");
        method.setLabel("Method");
        method.setItems(Contrastive.Method.values());
        method.setItemLabelGenerator(m -> m == Contrastive.Method.MEAN ? "mean difference" : "first principal component");
        method.setValue(Contrastive.Method.MEAN);
        Button contrast = new Button("Make from prompts", e -> fireEvent(new ContrastAsked(this, lines(positive.getValue()), lines(negative.getValue()),
                method.getValue())));
        contrast.setId("steer-make-prompts");
        add(apply, makeRow, row(positive, negative, method, contrast), message);
        showStrength();
    }

    private static List<String> lines(String text) {
        return text == null ? List.of() : text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static Div row(com.vaadin.flow.component.Component... parts) {
        Div r = new Div(parts);
        r.addClassName("steer-row");
        r.getStyle().set("display", "flex").set("flex-wrap", "wrap").set("gap", "var(--lumo-space-m)").set("align-items", "baseline");
        return r;
    }

    /** Adds {@code c} (the admin token's field, where one is needed) to the row that makes directions. */
    public void addToMakeRow(com.vaadin.flow.component.Component c) {
        makeRow.add(c);
    }

    /**
     * The directions saved for the page's model, without firing; keeps the chosen one and its layers
     * if it is still there (by id), else none.
     */
    public void setDirections(List<SteeringService.Saved> saved) {
        String chosen = direction.getValue() == null ? null : direction.getValue().id();
        Integer f = first.getValue();
        Integer l = last.getValue();
        quiet = true;
        try {
            direction.setItems(saved);
            SteeringService.Saved keep = saved.stream().filter(s -> s.id().equals(chosen)).findFirst().orElse(null);
            direction.setValue(keep);
            first.setValue(keep == null ? null : f);
            last.setValue(keep == null ? null : l);
        } finally {
            quiet = false;
        }
        showStrength();
    }

    /** Lists {@code saved} and chooses {@code id} (just made) at strength 0: nothing is steered until the slider moves. */
    public void choose(String id, List<SteeringService.Saved> saved) {
        setStrengthQuietly(0);
        setDirections(saved);
        quiet = true;
        try {
            saved.stream().filter(s -> s.id().equals(id)).findFirst().ifPresent(direction::setValue);
        } finally {
            quiet = false;
        }
        changed();
    }

    /** Shows {@code text} under the controls (what was made, or why not). */
    public void say(String text) {
        message.setText(text == null ? "" : text);
    }

    /** What is asked for now: empty when no direction is chosen or the strength is 0. */
    public List<SteeringService.Applied> applied() {
        SteeringService.Saved s = direction.getValue();
        if (s == null || strength == 0) {
            return List.of();
        }
        return List.of(new SteeringService.Applied(s.id(), strength, first.getValue(), last.getValue()));
    }

    private void setStrengthQuietly(double x) {
        strength = x;
        slider.setProperty("value", Double.toString(x));
    }

    /** Enables "Compare" while nothing else runs. */
    public void setComparing(boolean running) {
        compare.setEnabled(!running);
    }

    private void changed() {
        showStrength();
        fireEvent(new Changed(this, applied()));
    }

    private void showStrength() {
        strengthValue.setText(String.format(Locale.ROOT, "%+.1f", strength));
        SteeringService.Saved s = direction.getValue();
        setSummaryText(s == null || strength == 0 ? "Steering: off"
                : String.format(Locale.ROOT, "Steering: %s × %+.1f, layers %s–%s", s.name(), strength,
                Objects.requireNonNullElse(first.getValue(), s.first()), Objects.requireNonNullElse(last.getValue(), s.last())));
    }

    public Registration addChangedListener(ComponentEventListener<Changed> l) {
        return addListener(Changed.class, l);
    }

    public Registration addMakeListener(ComponentEventListener<MakeAsked> l) {
        return addListener(MakeAsked.class, l);
    }

    public Registration addContrastListener(ComponentEventListener<ContrastAsked> l) {
        return addListener(ContrastAsked.class, l);
    }

    public Registration addDeleteListener(ComponentEventListener<DeleteAsked> l) {
        return addListener(DeleteAsked.class, l);
    }

    public Registration addCompareListener(ComponentEventListener<CompareAsked> l) {
        return addListener(CompareAsked.class, l);
    }
}
