package io.gptlens.web.ui;

import com.vaadin.flow.component.HasValue;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;
import io.gptlens.core.plugin.ParamSpec;

/**
 * Form fields from a provider's {@link ParamSpec}s: a number field with the declared range for
 * INT and FLOAT, a checkbox for BOOL, a text field for STRING; the doc sentence is the tooltip.
 */
public final class ParamFields {

    private ParamFields() {
    }

    /** A field for {@code s} holding {@code value}. */
    public static HasValue<?, ?> field(ParamSpec s, Object value) {
        return switch (s.type()) {
            case INT, FLOAT -> {
                NumberField n = new NumberField(s.name());
                n.setMin(s.min());
                n.setMax(s.max());
                n.setStep(s.type() == ParamSpec.Type.INT ? 1 : 0.01);
                n.setValue(((Number) value).doubleValue());
                n.setValueChangeMode(ValueChangeMode.LAZY);
                n.setTooltipText(s.doc());
                n.setWidth("8em");
                yield n;
            }
            case BOOL -> {
                Checkbox c = new Checkbox(s.name(), (Boolean) value);
                c.setTooltipText(s.doc());
                yield c;
            }
            case STRING -> {
                TextField t = new TextField(s.name());
                t.setValue((String) value);
                t.setValueChangeMode(ValueChangeMode.LAZY);
                t.setTooltipText(s.doc());
                yield t;
            }
        };
    }

    /** The value a field holds, typed for {@code s} (INT as a long), or null when empty. */
    public static Object value(ParamSpec s, HasValue<?, ?> field) {
        Object v = field.getValue();
        if (v == null) {
            return null;
        }
        return s.type() == ParamSpec.Type.INT ? (Object) Math.round((Double) v) : v;
    }
}
