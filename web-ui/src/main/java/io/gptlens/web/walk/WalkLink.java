package io.gptlens.web.walk;

import com.vaadin.flow.router.QueryParameters;
import io.gptlens.core.sampling.StageSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of a walk as URL parameters, so a link reproduces it:
 * {@code walk?model=M&prompt=P&t=0.80&chain=top-k:k=40;min-p:p=0.05}. In {@code chain}, stages are
 * separated by {@code ;} and parameters by {@code ,}.
 *
 * @param model       the model's id, or null for the first loaded one
 * @param temperature T, clamped to [0, 5]
 */
public record WalkLink(String model, String prompt, double temperature, List<StageSpec> chain) {

    public WalkLink {
        temperature = Math.max(0, Math.min(SoftmaxStage.MAX_T, temperature));
        chain = List.copyOf(chain);
    }

    /**
     * Reads a link; missing parts take the defaults.
     *
     * @throws IllegalArgumentException for a temperature that is not a number or a chain parameter without '='
     */
    static WalkLink parse(QueryParameters q, String defaultPrompt) {
        Map<String, String> p = new LinkedHashMap<>();
        q.getParameters().forEach((k, v) -> p.put(k, v.getFirst()));
        double t;
        try {
            t = Double.parseDouble(p.getOrDefault("t", "1"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("t must be a number, got '" + p.get("t") + "'");
        }
        if (Double.isNaN(t)) {
            throw new IllegalArgumentException("t must be a number, got NaN");
        }
        return new WalkLink(p.get("model"), p.getOrDefault("prompt", defaultPrompt), t, chain(p.getOrDefault("chain", "")));
    }

    /**
     * The walk of {@code prompt} on {@code model} under a sampler chain as the playground runs it:
     * the chain's temperature stage becomes the walk's T (1 without one), its other filters the
     * walk's chain; the final pick (dist, greedy) is the walk's own.
     */
    public static WalkLink of(String model, String prompt, List<StageSpec> chain) {
        double t = chain.stream().filter(s -> s.name().equals("temperature")).map(s -> s.params().get("t"))
                .filter(Number.class::isInstance).mapToDouble(v -> ((Number) v).doubleValue()).findFirst().orElse(1);
        List<StageSpec> filters = chain.stream().filter(s -> !List.of("temperature", "dist", "greedy").contains(s.name())).toList();
        return new WalkLink(model, prompt, t, filters);
    }

    /** The link, relative to the application's root: {@code walk?model=…}. */
    public String href() {
        return "walk?" + query().getQueryString();
    }

    QueryParameters query() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("model", model);
        q.put("prompt", prompt);
        q.put("t", Pictures.f("%.2f", temperature));
        q.put("chain", format(chain));
        return QueryParameters.simple(q);
    }

    static String format(List<StageSpec> chain) {
        StringBuilder b = new StringBuilder();
        for (StageSpec s : chain) {
            b.append(b.isEmpty() ? "" : ";").append(s.name());
            String sep = ":";
            for (Map.Entry<String, Object> e : new java.util.TreeMap<>(s.params()).entrySet()) {
                b.append(sep).append(e.getKey()).append('=').append(e.getValue());
                sep = ",";
            }
        }
        return b.toString();
    }

    static List<StageSpec> chain(String text) {
        List<StageSpec> out = new ArrayList<>();
        for (String stage : text.split(";")) {
            if (stage.isBlank()) {
                continue;
            }
            int colon = stage.indexOf(':');
            Map<String, Object> params = new LinkedHashMap<>();
            if (colon >= 0) {
                for (String kv : stage.substring(colon + 1).split(",")) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("A chain parameter is name=value, got '" + kv + "' in '" + stage + "'");
                    }
                    params.put(kv.substring(0, eq), value(kv.substring(eq + 1)));
                }
            }
            out.add(new StageSpec(colon >= 0 ? stage.substring(0, colon) : stage, params));
        }
        return out;
    }

    private static Object value(String v) {
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException notLong) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException notNumber) {
                return v;
            }
        }
    }
}
