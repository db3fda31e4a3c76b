package io.gptlens.web.plugins;

/** A plugin's tokenizer failed (threw, answered nonsense or ran past its budget); the message names the plugin and its jar. */
public final class PluginFault extends RuntimeException {

    PluginFault(String message, Throwable cause) {
        super(message, cause);
    }
}
