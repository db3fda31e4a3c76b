package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Repetition, frequency and presence penalties over the last {@code lastN} accepted tokens
 * (llama.cpp's {@code llama_sampler_init_penalties}). For a token seen c &gt; 0 times: the
 * repetition penalty of Keskar et al. ("CTRL", 2019) divides a positive logit by {@code repeat}
 * and multiplies a negative one by it; then the OpenAI-style penalties subtract
 * {@code c * frequency + presence}. No-op when {@code lastN = 0} or
 * {@code repeat = 1, frequency = 0, presence = 0}. Stateful: learns from {@link #accept}.
 */
public final class PenaltiesSampler implements Sampler {

    private final int lastN;
    private final double repeat;
    private final double frequency;
    private final double presence;
    private final TokenHistory history;

    public PenaltiesSampler(int lastN, double repeat, double frequency, double presence) {
        this(lastN, repeat, frequency, presence, new TokenHistory(lastN));
    }

    private PenaltiesSampler(int lastN, double repeat, double frequency, double presence, TokenHistory history) {
        this.lastN = lastN;
        this.repeat = repeat;
        this.frequency = frequency;
        this.presence = presence;
        this.history = history;
    }

    @Override
    public String name() {
        return "penalties";
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
        if (lastN == 0 || (repeat == 1 && frequency == 0 && presence == 0) || history.size() == 0) {
            return;
        }
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < history.size(); i++) {
            counts.merge(history.get(i), 1, Integer::sum);
        }
        for (int i = 0; i < c.size(); i++) {
            Integer count = counts.get(c.id(i));
            if (count == null) {
                continue;
            }
            double l = c.logit(i);
            l = l <= 0 ? l * repeat : l / repeat;
            l -= count * frequency + presence;
            c.setLogit(i, (float) l);
        }
    }

    @Override
    public PenaltiesSampler copy() {
        return new PenaltiesSampler(lastN, repeat, frequency, presence, history.copy());
    }

    /** Provider {@code penalties}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("penalties", Kind.RESHAPE, "Repetition (Keskar et al. 2019), frequency and presence penalties over recent tokens; repeat 1, frequency 0, presence 0 is a no-op.",
                    List.of(ParamSpec.ofInt("last_n", 0, 1 << 20, 64, "How many recent tokens count; 0 = disabled."),
                            ParamSpec.ofFloat("repeat", 0.01, 100, 1.0, "Repetition penalty; 1 = none."),
                            ParamSpec.ofFloat("frequency", -100, 100, 0.0, "Subtracted per occurrence; 0 = none."),
                            ParamSpec.ofFloat("presence", -100, 100, 0.0, "Subtracted once if present; 0 = none.")),
                    p -> new PenaltiesSampler(p.getInt("last_n"), p.getDouble("repeat"), p.getDouble("frequency"), p.getDouble("presence")));
        }
    }
}
