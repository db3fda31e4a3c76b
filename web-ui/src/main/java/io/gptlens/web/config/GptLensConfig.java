package io.gptlens.web.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.List;
import java.util.Optional;

/**
 * GPTLens's settings (prefix {@code gptlens}); each can be given as a system property
 * ({@code -Dgptlens.models=...}), an environment variable ({@code GPTLENS_MODELS}) or in
 * {@code application.properties}.
 */
@ConfigMapping(prefix = "gptlens")
public interface GptLensConfig {

    /**
     * GGUF files to load at start, comma-separated; the first is the default model. A model's id
     * is its file name without {@code .gguf}. Files that fail to load are reported in the log and skipped.
     */
    Optional<List<String>> models();

    /**
     * Load the built-in all-MiniLM-L6-v2 (id {@code all-minilm-l6-v2}) after the configured models,
     * converting it from its Maven artifact into the models folder at first start.
     */
    @WithDefault("true")
    boolean builtinModel();

    /**
     * Pre-train the built-in GPT (State of the Union corpus, GPTLens's own BPE, llama.cpp's trainer)
     * in the background at first start when no generative model is loaded; the finished model is
     * kept in the models folder and loaded at later starts ({@code -Dgptlens.builtin-gpt=false} turns it off).
     */
    @WithDefault("true")
    boolean builtinGpt();

    /** The recipe of the built-in GPT: {@code tiny} (tests, seconds), {@code default} (about ten minutes) or {@code large} (an hour). */
    @WithDefault("default")
    String builtinGptPreset();

    /**
     * The token that every action changing the server needs, over REST ({@code Authorization: Bearer <token>})
     * and in the browser UI (the "Admin token" field): loading and unloading models, downloads,
     * switching and configuring plugins, training. Without one those actions are open, except
     * uploading and removing plugin jars, which are then refused.
     */
    Optional<String> adminToken();

    /**
     * The key every API request needs ({@code Authorization: Bearer <key>}) on {@code /v1/**},
     * {@code /api/**}, {@code /tokenize}, {@code /detokenize} and {@code /props}; {@code /health} and
     * the browser UI stay open. The admin token is accepted as well. Without one the API is open.
     */
    Optional<String> apiKey();

    /**
     * Host names, comma-separated, that the server answers to besides {@code localhost}, the loopback
     * and IP addresses and {@code quarkus.http.host}; a request naming another host gets 403 (a guard
     * against DNS rebinding). {@code *} turns the check off.
     */
    Optional<List<String>> allowedHosts();

    /**
     * Folders, comma-separated, that models may be loaded from by path (REST and UI) when the server
     * listens beyond the loopback address, besides the models folder ({@code <data>/models});
     * on the loopback address any path loads.
     */
    Optional<List<String>> modelsFolders();

    /** Largest plugin jar accepted by upload, in bytes (32 MiB). */
    @WithDefault("33554432")
    long pluginMaxBytes();

    /** Layers of each model to put on a GPU: 0 = none, -1 = all (needs a GPU build of llama.cpp, see {@code ./gptlens --cuda}). */
    @WithDefault("0")
    int gpuLayers();

    /** Tokens of context for each completion session; capped by the model's own context length. */
    @WithDefault("2048")
    int contextLength();

    /** CPU threads per session; 0 = all available processors. */
    @WithDefault("0")
    int threads();

    /** Completions that may run at once on one model; further requests wait. */
    @WithDefault("4")
    int maxConcurrent();

    /**
     * The chat template for models without their own, or instead of it: a Jinja file, or
     * {@code chatml} for the built-in ChatML. A {@code NAME.jinja} beside a model's
     * {@code NAME.gguf} wins over it (see {@code ChatTemplates}).
     */
    Optional<String> chatTemplate();

    /** Largest {@code max_tokens} a completion may ask for. */
    @WithDefault("4096")
    int maxTokensLimit();

    /** The embedding explorer ({@code gptlens.explorer.*}). */
    Explorer explorer();

    /** The plugins folder and the time plugins get ({@code gptlens.plugins.*}). */
    Plugins plugins();

    /** The embedding explorer's settings. */
    interface Explorer {
        /** Build a model's search index as soon as it is loaded ({@code false}: on its first search). */
        @WithDefault("true")
        boolean eagerIndex();
    }

    /** Where plugin jars are dropped, and how long a plugin may take. */
    interface Plugins {
        /** The folder scanned for plugin jars; {@code <data>/plugins} when unset. */
        Optional<String> dir();

        /** Milliseconds a plugin may take for one call (a sampler step, a tokenizer's encode); past it the call fails. */
        @WithDefault("1000")
        long budgetMs();

        /** Milliseconds a plugin may take to load its providers, declare them or build a tokenizer from a vocabulary. */
        @WithDefault("10000")
        long loadBudgetMs();
    }
}
