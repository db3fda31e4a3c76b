/**
 * Chat templates: {@link io.gptlens.web.chat.ChatTemplate} renders Hugging Face's Jinja chat
 * templates with HubSpot's jinjava as Jinja2 renders them; {@link io.gptlens.web.chat.ChatTemplates}
 * picks a model's template (a file beside it, {@code --chat-template}, or its own
 * {@code tokenizer.chat_template}).
 */
package io.gptlens.web.chat;
