package io.gptlens.web.walk;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.ComponentEvent;

/** The typed events the walk's stages fire; the view answers them through the services. */
final class WalkEvents {

    private WalkEvents() {
    }

    /** A person changed the prompt's text: walk it. */
    static final class PromptEdited extends ComponentEvent<Component> {
        PromptEdited(Component source) {
            super(source, true);
        }
    }

    /** A token (by position in the prompt) was chosen. */
    static final class TokenChosen extends ComponentEvent<Component> {
        final int position;

        TokenChosen(Component source, int position) {
            super(source, false);
            this.position = position;
        }
    }

    /** A layer was chosen: show its heads. */
    static final class LayerChosen extends ComponentEvent<Component> {
        final int layer;

        LayerChosen(Component source, int layer) {
            super(source, false);
            this.layer = layer;
        }
    }

    /** The layer grid should show the logit lens at this position. */
    static final class LensWanted extends ComponentEvent<Component> {
        final int position;

        LensWanted(Component source, int position) {
            super(source, false);
            this.position = position;
        }
    }

    /** The temperature was moved. */
    static final class TemperatureChanged extends ComponentEvent<Component> {
        final double temperature;

        TemperatureChanged(Component source, double temperature) {
            super(source, false);
            this.temperature = temperature;
        }
    }

    /** What the sample stage asks for. */
    enum Action { NEXT_TOKEN, GENERATE, STOP }

    /** A sample-stage button was pressed (or its key). */
    static final class SampleAction extends ComponentEvent<Component> {
        final Action action;

        SampleAction(Component source, Action action) {
            super(source, false);
            this.action = action;
        }
    }
}
