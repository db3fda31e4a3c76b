package io.gptlens.web.walk;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.router.QueryParameters;
import io.gptlens.web.playground.ChainEditor;
import io.gptlens.web.ui.ModelChoice;

import java.util.List;

/**
 * The walk's address: its {@link WalkLink} read into the page's parts (chain, temperature, prompt,
 * model) when the page is entered, and written back, replacing the browser's history entry, each
 * time the sample stage is drawn again. A link that is not understood is said so in the bar and the
 * defaults are walked. Use from the UI thread.
 */
final class WalkAddress {

    /** The prompt walked when the link has none. */
    static final String DEFAULT_PROMPT = "Once upon a time";

    private final WalkBar bar;
    private final ModelChoice model;
    private final SoftmaxStage softmax;
    private final ChainEditor chain;

    WalkAddress(WalkBar bar, ModelChoice model, SoftmaxStage softmax, ChainEditor chain) {
        this.bar = bar;
        this.model = model;
        this.softmax = softmax;
        this.chain = chain;
    }

    /** Sets the chain, the temperature, the prompt and the preferred model from the link's parameters {@code q}. */
    void enter(QueryParameters q) {
        WalkLink link;
        try {
            link = WalkLink.parse(q, DEFAULT_PROMPT);
            link.chain().forEach(s -> chain.addStage(s.name(), s.params()));
        } catch (RuntimeException bad) { // a hand-edited link: say so, walk with the defaults
            bar.status("The link was not understood (" + bad.getMessage() + "): the defaults are used");
            link = new WalkLink(null, DEFAULT_PROMPT, 1, List.of());
        }
        softmax.setTemperature(link.temperature());
        bar.setPrompt(link.prompt());
        model.prefer(link.model()); // before the choice attaches and walks
    }

    /** Writes the walk as the page shows it now, on the model {@code modelId}, into the browser's address. */
    void update(String modelId) {
        WalkLink link = new WalkLink(modelId, bar.prompt(), softmax.temperature(), chain.stages());
        UI.getCurrent().getPage().getHistory().replaceState(null, link.href());
    }
}
