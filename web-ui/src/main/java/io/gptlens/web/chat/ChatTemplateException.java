package io.gptlens.web.chat;

/**
 * A chat template could not be rendered: it is not valid Jinja, it called
 * {@code raise_exception(...)}, or rendering hit an error. Never carries partial output.
 */
public final class ChatTemplateException extends RuntimeException {

    private final boolean raisedByTemplate;

    public ChatTemplateException(String message) {
        this(message, false, null);
    }

    public ChatTemplateException(String message, Throwable cause) {
        this(message, false, cause);
    }

    private ChatTemplateException(String message, boolean raisedByTemplate, Throwable cause) {
        super(message, cause);
        this.raisedByTemplate = raisedByTemplate;
    }

    /** The template itself called {@code raise_exception(message)}. */
    public static ChatTemplateException raisedByTemplate(String message) {
        return new ChatTemplateException(message, true, null);
    }

    /** True when the template called {@code raise_exception}, false for render or syntax errors. */
    public boolean isRaisedByTemplate() {
        return raisedByTemplate;
    }
}
