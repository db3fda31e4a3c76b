package io.gptlens.web.patchingview;

import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.progressbar.ProgressBar;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.internals.InternalsService;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelRegistry;
import io.gptlens.web.ui.MainLayout;
import io.gptlens.web.ui.ModelChoice;
import io.gptlens.web.ui.UiAccess;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Which part of the model decided: causal tracing (a clean and a corrupted prompt, the layer ×
 * position heatmap of how much copying one clean residual brings back) and direct logit
 * attribution (each layer's attention and MLP as a bar of its contribution to one token's logit).
 * The work runs off the UI thread in {@link InternalsService}.
 */
@Route(value = "patching", layout = MainLayout.class)
@PageTitle("Patch and attribute · GPTLens")
public class PatchingView extends VerticalLayout {

    private final InternalsService internals;
    private final ModelChoice model;
    private final TextField clean = new TextField("Clean prompt");
    private final TextField corrupted = new TextField("Corrupted prompt (as many tokens)");
    private final TextField target = new TextField("Target token");
    private final TextField prompt = new TextField("Prompt");
    private final TextField token = new TextField("Token");
    private final Span message = new Span();
    private final TraceHeatmap heatmap = new TraceHeatmap();
    private final AttributionBars bars = new AttributionBars();
    private final Button traceButton = new Button("Trace", e -> trace());
    private final Button attributeButton = new Button("Attribute", e -> attribute());
    private final ProgressBar progress = new ProgressBar();
    private volatile Thread running;

    public PatchingView(ModelRegistry models, InternalsService internals) {
        this.internals = internals;
        this.model = new ModelChoice(models);
        model.setId("patching-model");
        clean.setId("clean");
        clean.setValue("Lily went to the park. Then Lily");
        corrupted.setId("corrupted");
        corrupted.setValue("Tim went to the park. Then Lily");
        target.setId("target");
        target.setValue(" was");
        prompt.setId("dla-prompt");
        prompt.setValue("Once upon a time");
        token.setId("dla-token");
        token.setValue(",");
        for (TextField f : new TextField[]{clean, corrupted, prompt}) {
            f.setWidth("24em");
        }
        message.setId("patching-message");
        traceButton.setId("trace-go");
        traceButton.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        attributeButton.setId("dla-go");
        progress.setId("patching-progress");
        progress.setVisible(false);
        progress.setWidth("24em");
        add(model, new H3("Activation patching: which layer, at which position, carries what the corruption took away"),
                row(clean, corrupted, target, traceButton), heatmap, new H3("Direct logit attribution: what each layer adds to one token's logit"),
                row(prompt, token, attributeButton), bars, progress, message);
        setWidthFull();
    }

    private static HorizontalLayout row(com.vaadin.flow.component.Component... parts) {
        HorizontalLayout r = new HorizontalLayout(parts);
        r.setAlignItems(FlexComponent.Alignment.BASELINE);
        r.getStyle().set("flex-wrap", "wrap");
        return r;
    }

    private void trace() {
        LoadedModel m = model.model();
        if (m == null) {
            message.setText(ModelChoice.NONE);
            return;
        }
        Tokenizer t = m.model().tokenizer();
        int[] a = t.encode(clean.getValue(), true, true);
        int[] b = t.encode(corrupted.getValue(), true, true);
        if (a.length != b.length) {
            message.setText("The clean prompt is " + a.length + " tokens and the corrupted one " + b.length + ": patching needs as many");
            return;
        }
        var id = t.tokenOf(target.getValue());
        if (id.isEmpty()) {
            message.setText("'" + target.getValue() + "' is not one token");
            return;
        }
        message.setText("Tracing: a run per layer and position …");
        UI ui = UI.getCurrent();
        long[] shown = {System.nanoTime() - 1_000_000_000L};
        background(() -> internals.patching(m, a, b, id.getAsInt(), (done, total) -> {
            long now = System.nanoTime();
            if (now - shown[0] > 250_000_000L || done == total) { // a few updates a second, not one per run
                shown[0] = now;
                UiAccess.later(ui, () -> {
                    progress.setValue((double) done / total);
                    message.setText("Tracing: " + done + " of " + total + " runs (a run per layer and position)");
                });
            }
        }), tr -> {
            heatmap.show(t, a, b, id.getAsInt(), tr);
            message.setText("");
        });
    }

    private void attribute() {
        LoadedModel m = model.model();
        if (m == null) {
            message.setText(ModelChoice.NONE);
            return;
        }
        Tokenizer t = m.model().tokenizer();
        var id = t.tokenOf(token.getValue());
        if (id.isEmpty()) {
            message.setText("'" + token.getValue() + "' is not one token");
            return;
        }
        int[] p = t.encode(prompt.getValue(), true, true);
        background(() -> internals.attribution(m, p, id.getAsInt()), a -> {
            bars.show("'" + token.getValue() + "'", a);
            message.setText("");
        });
    }

    /**
     * Runs {@code work} off the UI thread and shows its result, or what went wrong; one at a time (the
     * buttons wait), stopped when the page is left.
     */
    private <T> void background(Supplier<T> work, Consumer<T> done) {
        UI ui = UI.getCurrent();
        busy(true);
        running = Thread.ofVirtual().start(() -> {
            try {
                T r = work.get();
                UiAccess.later(ui, () -> done.accept(r));
            } catch (java.util.concurrent.CancellationException e) {
                // the page was left
            } catch (RuntimeException e) {
                UiAccess.later(ui, () -> message.setText(e.getMessage() != null ? e.getMessage() : e.toString()));
            } finally {
                UiAccess.later(ui, () -> busy(false));
            }
        });
    }

    private void busy(boolean on) {
        traceButton.setEnabled(!on);
        attributeButton.setEnabled(!on);
        progress.setVisible(on);
        progress.setValue(0);
    }

    @Override
    protected void onDetach(DetachEvent e) {
        super.onDetach(e);
        Thread t = running;
        if (t != null) {
            t.interrupt();
        }
    }
}
