package io.gptlens.web.chat;

import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.completion.CompletionException;
import io.gptlens.web.config.GptLensConfig;
import io.gptlens.web.models.LoadedModel;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which chat template a model's chats go through, and the rendering. The first that exists wins:
 * a file beside the model named like it with {@code .jinja} ({@code qwen.gguf} → {@code qwen.jinja});
 * the template {@code gptlens.chat-template} names (a file, or {@code chatml}); the model's own
 * {@code tokenizer.chat_template}. A model with none of them cannot chat. Thread-safe; parsed
 * templates are kept by their source.
 */
@ApplicationScoped
public class ChatTemplates {

    /** The name of the built-in ChatML template (what llama-server falls back to). */
    public static final String CHATML = "chatml";

    /** ChatML, as Qwen and many others write a conversation; written here. */
    static final String CHATML_SOURCE = "{%- for message in messages -%}"
            + "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' -}}"
            + "{%- endfor -%}"
            + "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}";

    private final GptLensConfig config;
    private final Map<String, ChatTemplate> parsed = new ConcurrentHashMap<>();

    public ChatTemplates(GptLensConfig config) {
        this.config = config;
    }

    /**
     * Where a model's template comes from.
     *
     * @param origin what it is: a file path, {@code chatml}, or {@code tokenizer.chat_template}
     * @param source the Jinja source
     */
    public record Source(String origin, String source) {
    }

    /** The template {@code model}'s chats go through, if any. */
    public Optional<Source> sourceOf(LoadedModel model) {
        Path beside = sidecar(model.path());
        if (beside != null && Files.isRegularFile(beside)) {
            return Optional.of(new Source(beside.toString(), read(beside)));
        }
        Optional<String> named = config.chatTemplate();
        if (named.isPresent() && !named.get().isBlank()) {
            String n = named.get().trim();
            return Optional.of(n.equals(CHATML) ? new Source(CHATML, CHATML_SOURCE) : new Source(n, read(Path.of(n))));
        }
        return model.model().chatTemplate().map(s -> new Source("tokenizer.chat_template", s));
    }

    private static Path sidecar(Path model) {
        if (model == null) {
            return null;
        }
        String name = model.getFileName().toString();
        String base = name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
        return model.resolveSibling(base + ".jinja");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CompletionException(CompletionException.Kind.NOT_FOUND, "Cannot read the chat template " + file + ": " + e.getMessage());
        }
    }

    /**
     * Renders {@code messages} through the model's template, with Hugging Face's variables
     * ({@code messages}, {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}).
     *
     * @throws CompletionException UNSUPPORTED when the model has no template, INVALID when the template refuses the chat
     */
    public String render(LoadedModel model, List<ChatMessage> messages, boolean addGenerationPrompt) {
        Source src = sourceOf(model).orElseThrow(() -> new CompletionException(CompletionException.Kind.UNSUPPORTED,
                "Model '" + model.id() + "' has no chat template (no tokenizer.chat_template in its file): put one beside it as "
                        + sidecar(model.path()).getFileName() + ", start GPTLens with --chat-template FILE (or chatml), or use /v1/completions"));
        ChatTemplate t = parsed.computeIfAbsent(src.source(), ChatTemplate::of);
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("role", m.role());
            one.put("content", m.content());
            list.add(one);
        }
        Tokenizer tok = model.model().tokenizer();
        try {
            return t.render(list, addGenerationPrompt, special(tok, tok.specialTokens().bos()), special(tok, tok.specialTokens().eos()));
        } catch (ChatTemplateException e) {
            throw CompletionException.invalid("The chat template (" + src.origin() + ") refused this chat: " + e.getMessage());
        }
    }

    private static String special(Tokenizer t, int id) {
        return id < 0 ? "" : t.piece(id, true).text();
    }

    /**
     * The tokens of a rendered chat: special tokens written in it are recognised, and the start
     * token is added once (a template that writes {@code bos_token} itself does not get a second).
     */
    public int[] tokenize(LoadedModel model, Tokenizer tokenizer, String rendered) {
        int bos = tokenizer.specialTokens().bos();
        String bosText = special(tokenizer, bos);
        String text = rendered;
        if (!bosText.isEmpty() && text.startsWith(bosText)) {
            int[] empty = tokenizer.encode("", true, true);
            if (empty.length > 0 && empty[0] == bos) {
                text = text.substring(bosText.length()); // the tokenizer adds it
            }
        }
        return tokenizer.encode(text, true, true);
    }
}
