package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds a fixed bias to the logits of chosen tokens (OpenAI's {@code logit_bias}; llama.cpp's
 * {@code llama_sampler_init_logit_bias}). A bias of -infinity bans a token. No-op with no biases.
 */
public final class LogitBiasSampler implements Sampler {

    private final Map<Integer, Float> bias;

    public LogitBiasSampler(Map<Integer, Float> bias) {
        this.bias = Map.copyOf(bias);
    }

    @Override
    public String name() {
        return "logit-bias";
    }

    @Override
    public void apply(Candidates c) {
        if (bias.isEmpty()) {
            return;
        }
        for (int i = 0; i < c.size(); i++) {
            Float b = bias.get(c.id(i));
            if (b != null) {
                c.setLogit(i, c.logit(i) + b);
            }
        }
    }

    @Override
    public LogitBiasSampler copy() {
        return this;
    }

    /** Parses {@code "id:bias,id:bias"}; a bias may be {@code -inf}. */
    public static Map<Integer, Float> parse(String s) {
        Map<Integer, Float> out = new LinkedHashMap<>();
        for (String part : s.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) {
                continue;
            }
            int colon = t.indexOf(':');
            try {
                if (colon < 0) {
                    throw new NumberFormatException();
                }
                int id = Integer.parseInt(t.substring(0, colon).trim());
                String v = t.substring(colon + 1).trim();
                float b = v.equalsIgnoreCase("-inf") ? Float.NEGATIVE_INFINITY : Float.parseFloat(v);
                if (Float.isNaN(b) || b == Float.POSITIVE_INFINITY) {
                    throw new NumberFormatException();
                }
                out.put(id, b);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Parameter 'bias' of logit-bias must look like '13:-2.5,42:-inf', got '" + t + "'");
            }
        }
        return out;
    }

    /** Provider {@code logit-bias}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("logit-bias", Kind.RESHAPE, "Adds a bias to chosen tokens' logits (-inf bans a token); empty is a no-op.",
                    List.of(ParamSpec.ofString("bias", "", "Comma-separated id:bias pairs, e.g. '13:-2.5,42:-inf'.")),
                    p -> new LogitBiasSampler(parse(p.getString("bias"))));
        }
    }
}
