package io.gptlens.web.chat;

/**
 * One message of a chat, as chat templates read it.
 *
 * @param role    {@code system}, {@code user}, {@code assistant} (or another role a template knows)
 * @param content its text (content parts already joined)
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("Each message needs a 'role' (system, user or assistant)");
        }
        content = content == null ? "" : content;
    }
}
