package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DRY, "Don't Repeat Yourself" (p-e-w, text-generation-webui PR #5677): penalises a token that
 * would extend a sequence already seen in the recent history. If the last L tokens also occurred
 * earlier followed by token t, and {@code L >= allowedLength}, then t's logit drops by
 * {@code multiplier * base^(L - allowedLength)}. Sequence breakers (token ids) end a match.
 * No-op when {@code multiplier = 0}, {@code base < 1} or {@code lastN = 0}. Stateful: learns
 * from {@link #accept}.
 *
 * <p>Breakers are token ids here because core has no tokenizer at hand; llama.cpp takes strings
 * and tokenizes them.
 */
public final class DrySampler implements Sampler {

    private static final double MAX_PENALTY = 1e30;

    private final double multiplier;
    private final double base;
    private final int allowedLength;
    private final Set<Integer> breakers;
    private final TokenHistory history;

    public DrySampler(double multiplier, double base, int allowedLength, int lastN, Set<Integer> breakers) {
        this(multiplier, base, allowedLength, breakers, new TokenHistory(lastN));
    }

    private DrySampler(double multiplier, double base, int allowedLength, Set<Integer> breakers, TokenHistory history) {
        this.multiplier = multiplier;
        this.base = base;
        this.allowedLength = Math.max(1, allowedLength);
        this.breakers = Set.copyOf(breakers);
        this.history = history;
    }

    @Override
    public String name() {
        return "dry";
    }

    @Override
    public void accept(int token) {
        history.add(token);
    }

    @Override
    public void reset() {
        history.clear();
    }

    @Override
    public void apply(Candidates c) {
        int n = history.size();
        if (multiplier == 0 || base < 1 || n < 2) {
            return;
        }
        int last = history.get(n - 1);
        if (breakers.contains(last)) {
            return;
        }
        Map<Integer, Integer> longest = new HashMap<>();
        for (int j = 0; j < n - 1; j++) {
            int next = history.get(j + 1);
            if (breakers.contains(next)) {
                continue;
            }
            int len = 0;
            while (len <= j) {
                int a = history.get(j - len);
                if (a != history.get(n - 1 - len) || breakers.contains(a)) {
                    break;
                }
                len++;
            }
            if (len > 0) {
                longest.merge(next, len, Math::max);
            }
        }
        for (int i = 0; i < c.size(); i++) {
            Integer len = longest.get(c.id(i));
            if (len != null && len >= allowedLength) {
                double penalty = Math.min(MAX_PENALTY, multiplier * Math.pow(base, len - allowedLength));
                c.setLogit(i, (float) (c.logit(i) - penalty));
            }
        }
    }

    @Override
    public DrySampler copy() {
        return new DrySampler(multiplier, base, allowedLength, breakers, history.copy());
    }

    static Set<Integer> parseIds(String s) {
        Set<Integer> out = new HashSet<>();
        for (String part : s.split(",")) {
            String t = part.trim();
            if (!t.isEmpty()) {
                try {
                    out.add(Integer.parseInt(t));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Parameter 'breakers' of dry must be comma-separated token ids, got '" + t + "'");
                }
            }
        }
        return out;
    }

    /** Provider {@code dry}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("dry", Kind.RESHAPE, "Don't Repeat Yourself: penalises tokens that extend an earlier repeated sequence (p-e-w); multiplier 0 is a no-op.",
                    List.of(ParamSpec.ofFloat("multiplier", 0, 100, 0.0, "Penalty scale; 0 = disabled."),
                            ParamSpec.ofFloat("base", 1, 100, 1.75, "Growth per token beyond allowed_length."),
                            ParamSpec.ofInt("allowed_length", 1, 1 << 16, 2, "Repeats shorter than this are free."),
                            ParamSpec.ofInt("last_n", 0, 1 << 16, 1024, "How many recent tokens to search."),
                            ParamSpec.ofString("breakers", "", "Comma-separated token ids that end a match (e.g. the newline token).")),
                    p -> new DrySampler(p.getDouble("multiplier"), p.getDouble("base"), p.getInt("allowed_length"), p.getInt("last_n"),
                            parseIds(p.getString("breakers"))));
        }
    }

    @Override
    public String toString() {
        return "dry" + Arrays.toString(new double[]{multiplier, base, allowedLength});
    }
}
