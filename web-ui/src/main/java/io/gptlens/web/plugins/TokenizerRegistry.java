package io.gptlens.web.plugins;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.core.tokenizer.TokenizerProvider;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelException;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokenizers a loaded model can be cut with: its own ({@value #OWN}: what llama.cpp does for
 * it) and every tokenizer provider — built-in or from a plugin — that reads its vocabulary. A
 * provider's tokenizer is built once per model from the model's GGUF and kept until the plugins
 * change. Thread-safe.
 */
@ApplicationScoped
public class TokenizerRegistry {

    /** The name of a model's own tokenizer. */
    public static final String OWN = "model";

    private record Key(String model, Path path, TokenizerProvider provider) {
    }

    private final PluginManager plugins;
    private final Map<Key, Tokenizer> built = new ConcurrentHashMap<>();
    private final Map<LoadedModel, List<Choice>> offered = new ConcurrentHashMap<>();

    public TokenizerRegistry(PluginManager plugins) {
        this.plugins = plugins;
        plugins.addChangeListener(() -> {
            built.clear();
            offered.clear();
        });
    }

    /** One tokenizer and whether it can cut a given model. */
    public record Choice(String name, String source, boolean supported, String reason) {
    }

    /**
     * {@code m}'s tokenizer called {@code name}; null or {@value #OWN} is the model's own.
     *
     * @throws ModelException INVALID if no tokenizer has that name; UNSUPPORTED if it cannot read the
     *                        model's vocabulary, or its vocabulary differs in size from the model's
     * @throws PluginFault     if a plugin's tokenizer fails while being built
     */
    public Tokenizer forModel(LoadedModel m, String name) {
        if (name == null || name.isBlank() || name.equals(OWN)) {
            return m.model().tokenizer();
        }
        TokenizerProvider p = plugins.tokenizers().all().get(name);
        if (p == null) {
            throw new ModelException(ModelException.Kind.INVALID, "Unknown tokenizer '" + name + "'; known: " + OWN + ", "
                    + String.join(", ", plugins.tokenizers().all().keySet()));
        }
        return built.computeIfAbsent(new Key(m.id(), m.path(), p), k -> build(m, p));
    }

    /**
     * Every tokenizer, the model's own first, with whether it reads {@code m}'s vocabulary (asked
     * once per loaded model until the plugins change).
     */
    public List<Choice> choices(LoadedModel m) {
        return offered.computeIfAbsent(m, this::ask);
    }

    private List<Choice> ask(LoadedModel m) {
        List<Choice> out = new ArrayList<>();
        out.add(new Choice(OWN, "the model (llama.cpp)", true, ""));
        try (GgufFile f = GgufFile.open(m.path())) {
            for (TokenizerProvider p : plugins.tokenizers().all().values()) {
                String source = p instanceof GuardedTokenizerProvider ? "plugin"
                        : p.getClass().getPackageName().startsWith("io.gptlens.llamacpp") ? "built-in" : "plugin on the classpath";
                try {
                    boolean ok = p.supports(f);
                    out.add(new Choice(p.name(), source, ok, ok ? "" : "cannot read " + vocabularyKind(f)));
                } catch (RuntimeException e) {
                    out.add(new Choice(p.name(), source, false, String.valueOf(e.getMessage())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + m.path() + ": " + e.getMessage(), e);
        }
        return List.copyOf(out);
    }

    /** The choices as JSON-ready maps. */
    public List<Map<String, Object>> choicesJson(LoadedModel m) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Choice c : choices(m)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", c.name());
            e.put("source", c.source());
            e.put("supported", c.supported());
            if (!c.reason().isEmpty()) {
                e.put("reason", c.reason());
            }
            out.add(e);
        }
        return out;
    }

    private static Tokenizer build(LoadedModel m, TokenizerProvider p) {
        try (GgufFile f = GgufFile.open(m.path())) {
            if (!p.supports(f)) {
                throw new ModelException(ModelException.Kind.UNSUPPORTED, "Tokenizer '" + p.name() + "' cannot read model '" + m.id() + "' (" + vocabularyKind(f) + ")");
            }
            Tokenizer t = p.create(f);
            int model = m.model().tokenizer().vocabularySize();
            if (t.vocabularySize() != model) {
                throw new ModelException(ModelException.Kind.UNSUPPORTED, "Tokenizer '" + p.name() + "' has " + t.vocabularySize() + " tokens but model '" + m.id()
                        + "' has " + model);
            }
            return t;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + m.path() + ": " + e.getMessage(), e);
        }
    }

    private static String vocabularyKind(GgufFile f) {
        return "tokenizer.ggml.model = " + f.getString("tokenizer.ggml.model").orElse("(none)")
                + f.getString("tokenizer.ggml.pre").map(s -> ", pre = " + s).orElse("");
    }
}
