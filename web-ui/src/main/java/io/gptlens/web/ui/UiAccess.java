package io.gptlens.web.ui;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.UIDetachedException;
import com.vaadin.flow.server.Command;

/** Work off the UI thread showing its result: nothing to show once the tab has gone. */
public final class UiAccess {

    private UiAccess() {
    }

    /** {@code ui.access(command)}, or nothing when {@code ui} is detached (the tab was closed or left). */
    public static void later(UI ui, Command command) {
        try {
            ui.access(command);
        } catch (UIDetachedException gone) {
            // no one is looking any more
        }
    }
}
