package io.gptlens.web.playground;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.details.Details;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextArea;
import io.gptlens.core.generation.PromptScorer;
import io.gptlens.core.tokenizer.Piece;
import io.gptlens.core.tokenizer.TokenDisplay;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.chat.ChatMessage;
import io.gptlens.web.completion.CompletionService;
import io.gptlens.web.completion.PromptInput;
import io.gptlens.web.models.LoadedModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Two ways to see what a model reads: <b>score a text</b> (each token coloured by how surprised
 * the model was, its probability given the tokens before it, with the text's perplexity) and
 * <b>chat mode</b> (messages rendered through the model's chat template: the exact prompt, and
 * its tokens with the special ones visible). Talks to the completion service only.
 */
public class TextLabPanel extends Details {

    private final CompletionService completions;
    private final Supplier<LoadedModel> model;
    private final TextArea text = new TextArea("Text to score");
    private final Div scored = new Div();
    private final Span perplexity = new Span();
    private final TextArea chat = new TextArea("Chat: one message per line, 'role: content'");
    private final Pre rendered = new Pre();
    private final TokenStrip chatTokens = new TokenStrip();
    private final Span status = new Span();

    public TextLabPanel(CompletionService completions, Supplier<LoadedModel> model) {
        super("Score a text · chat mode");
        this.completions = completions;
        this.model = model;
        setId("text-lab");
        setWidthFull();
        add(new VerticalLayout(scoreSection(), chatSection(), status));
    }

    private VerticalLayout scoreSection() {
        text.setId("score-text");
        text.setWidthFull();
        text.setValue("Once upon a time, there was a little girl named Lily.");
        Button score = new Button("Score", e -> score());
        score.setId("score");
        scored.setId("scored");
        scored.addClassName("chips");
        perplexity.setId("perplexity");
        return new VerticalLayout(text, score, perplexity, scored);
    }

    private VerticalLayout chatSection() {
        chat.setId("chat-messages");
        chat.setWidthFull();
        chat.setValue("system: You are a storyteller.\nuser: Tell me about Lily.");
        Button render = new Button("Render through the chat template", e -> renderChat());
        render.setId("render-chat");
        rendered.setId("chat-prompt");
        chatTokens.setId("chat-tokens");
        return new VerticalLayout(chat, render, rendered, chatTokens);
    }

    private void score() {
        LoadedModel m = model.get();
        if (m == null) {
            status.setText("No model yet — load one first.");
            return;
        }
        try {
            PromptScorer.Scored s = completions.score(m.id(), new PromptInput.Text(text.getValue()), 0);
            Tokenizer t = m.model().tokenizer();
            scored.removeAll();
            for (PromptScorer.TokenScore ts : s.tokens()) {
                Piece p = t.piece(ts.token(), true);
                Span chip = new Span(TokenDisplay.label(p, t.type(ts.token())));
                chip.addClassName("chip");
                double prob = Double.isNaN(ts.logprob()) ? Double.NaN : Math.exp(ts.logprob());
                if (!Double.isNaN(prob)) {
                    // green for tokens the model expected, red for surprises: hue 0 (p = 0) to 120 (p = 1)
                    chip.getStyle().set("background", String.format(Locale.ROOT, "hsl(%.0f, 70%%, 80%%)", 120 * prob));
                }
                chip.getElement().setAttribute("title", Double.isNaN(prob) ? "first token: nothing predicts it"
                        : String.format(Locale.ROOT, "p = %.4f · rank %d · %.2f bits of surprise", prob, ts.rank(), -ts.logprob() / Math.log(2)));
                chip.getElement().setAttribute("data-p", Double.isNaN(prob) ? "" : Double.toString(prob));
                scored.add(chip);
            }
            perplexity.setText(String.format(Locale.ROOT, "Perplexity %.3f over %d predicted tokens (log-likelihood %.3f nats)",
                    s.perplexity(), s.tokens().size() - 1, s.logLikelihood()));
            status.setText("");
        } catch (RuntimeException e) {
            status.setText(e.getMessage());
        }
    }

    private void renderChat() {
        LoadedModel m = model.get();
        if (m == null) {
            status.setText("No model yet — load one first.");
            return;
        }
        try {
            List<ChatMessage> messages = new ArrayList<>();
            for (String line : chat.getValue().split("\n")) {
                int colon = line.indexOf(':');
                if (line.isBlank()) {
                    continue;
                }
                if (colon <= 0) {
                    throw new IllegalArgumentException("Each line needs 'role: content', got '" + line + "'");
                }
                messages.add(new ChatMessage(line.substring(0, colon).strip(), line.substring(colon + 1).strip()));
            }
            String prompt = completions.applyTemplate(m.id(), messages, true);
            rendered.setText(prompt);
            chatTokens.show(m.model().tokenizer(), completions.chatTokens(m.id(), prompt));
            status.setText("");
        } catch (RuntimeException e) {
            rendered.setText("");
            chatTokens.removeAll();
            status.setText(e.getMessage());
        }
    }
}
