package io.gptlens.core.sampling;

import java.util.Map;
import java.util.Objects;

/**
 * A sampler stage by name and raw parameters, as a request or a saved run states it.
 *
 * @param name   provider name, e.g. "top-p"
 * @param params parameter values (Numbers, Booleans, Strings); missing ones take their defaults
 */
public record StageSpec(String name, Map<String, Object> params) {

    public StageSpec {
        Objects.requireNonNull(name, "sampler name");
        params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** A stage with parameters given as alternating names and values. */
    public static StageSpec of(String name, Object... kv) {
        java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return new StageSpec(name, m);
    }
}
