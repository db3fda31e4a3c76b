package io.gptlens.web.playground;

import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.gptlens.web.ui.MainLayout;

/** The playground: a prompt, its tokens, generation and the next-token distribution. */
@Route(value = "", layout = MainLayout.class)
@PageTitle("Playground · GPTLens")
public class PlaygroundView extends VerticalLayout {

    public PlaygroundView() {
        add(new Span("Playground"));
    }
}
