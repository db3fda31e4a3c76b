package io.gptlens.web.walk;

import io.gptlens.web.ui.UiAccess;
import com.vaadin.flow.component.UI;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The model's part of the walk's stages, run off the UI thread: each piece of work on a virtual
 * thread of its own, its result handed back through {@link UI#access} only while the walk is still
 * on the tokens it was computed for (an edited prompt makes it stale), a failure told to the status
 * line instead. Start work from the UI thread: the current UI is the one that hears back.
 */
final class ModelWork {

    private final Supplier<int[]> walked;
    private final Consumer<String> status;

    /**
     * @param walked the tokens the walk is on now, compared by identity with the ones a piece of work was for
     * @param status where a failure is told
     */
    ModelWork(Supplier<int[]> walked, Consumer<String> status) {
        this.walked = walked;
        this.status = status;
    }

    /** Runs {@code work}; {@code done} sees its result unless the walk left {@code forTokens} meanwhile. */
    <T> void run(Supplier<T> work, Consumer<T> done, int[] forTokens) {
        UI ui = UI.getCurrent();
        Thread.ofVirtual().start(() -> {
            try {
                T r = work.get();
                UiAccess.later(ui, () -> {
                    if (forTokens == walked.get()) {
                        done.accept(r);
                    }
                });
            } catch (RuntimeException ex) {
                UiAccess.later(ui, () -> status.accept("Failed: " + ex.getMessage()));
            }
        });
    }
}
