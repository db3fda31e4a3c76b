package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exact results of each sampler on small hand-checked distributions. */
class SamplerBehaviourTest {

    /** logits ln(p) for p = 0.5, 0.25, 0.125, 0.0625, 0.0625 on ids 0..4 */
    private static Candidates halves() {
        return Candidates.fromLogits(new float[]{(float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.125),
                (float) Math.log(0.0625), (float) Math.log(0.0625)});
    }

    @Test
    void topKKeepsTheKLargest() {
        Candidates c = Candidates.fromLogits(new float[]{1, 5, 3, 4, 2});
        new TopKSampler(3).apply(c);
        assertArrayEquals(new int[]{1, 3, 2}, c.ids());
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        Candidates c = halves();
        new TopPSampler(0.7, 1).apply(c);
        assertArrayEquals(new int[]{0, 1}, c.ids()); // 0.5 + 0.25 = 0.75 >= 0.7
        Candidates d = halves();
        new TopPSampler(0.75, 1).apply(d);
        assertArrayEquals(new int[]{0, 1}, d.ids());
        Candidates e = halves();
        new TopPSampler(0.76, 1).apply(e);
        assertArrayEquals(new int[]{0, 1, 2}, e.ids());
    }

    @Test
    void minPKeepsTokensAboveAFractionOfTheTop() {
        Candidates c = halves();
        new MinPSampler(0.25, 1).apply(c); // threshold 0.125
        assertArrayEquals(new int[]{0, 1, 2}, c.ids());
    }

    @Test
    void temperatureZeroKeepsOnlyTheArgmax() {
        Candidates c = Candidates.fromLogits(new float[]{1, 5, 3});
        new TemperatureSampler(0).apply(c);
        assertArrayEquals(new int[]{1}, c.ids());
    }

    @Test
    void temperatureDividesLogits() {
        Candidates c = Candidates.fromLogits(new float[]{1, 4});
        new TemperatureSampler(2).apply(c);
        assertArrayEquals(new float[]{0.5f, 2f}, c.logits());
    }

    @Test
    void typicalPrefersTokensNearTheEntropy() {
        // entropy of halves = 0.5ln2 + 0.25ln4 + 0.125ln8 + 2*0.0625ln16 = 1.875 ln2 ; surprises: 1,2,3,4,4 (x ln2)
        Candidates c = halves();
        new TypicalSampler(0.3, 1).apply(c);
        // closest surprise to 1.875 is 2 (id 1, p .25), then 1 (id 0, p .5): cum .25, .75 > .3 -> keep ids 0 and 1
        assertEquals(Set.of(0, 1), Set.of(c.ids()[0], c.ids()[1]));
        assertEquals(2, c.size());
    }

    @Test
    void topNSigmaKeepsLogitsNearTheMax() {
        Candidates c = Candidates.fromLogits(new float[]{0, 0, 0, 10});
        // mean 2.5, sigma = sqrt((3*6.25 + 56.25)/4) = 4.33; threshold 10 - 4.33 = 5.67
        new TopNSigmaSampler(1).apply(c);
        assertArrayEquals(new int[]{3}, c.ids());
    }

    @Test
    void xtcRemovesTopChoicesButTheLeastLikelyOfThem() {
        Candidates c = halves();
        new XtcSampler(1, 0.2, 1, 1).apply(c); // above 0.2: ids 0 (0.5) and 1 (0.25) -> keep 1
        assertArrayEquals(new int[]{1, 2, 3, 4}, c.ids());
    }

    @Test
    void penaltiesFollowLlamaCpp() {
        PenaltiesSampler s = new PenaltiesSampler(8, 2, 0.5, 1);
        s.accept(0);
        s.accept(0);
        s.accept(1);
        Candidates c = Candidates.fromLogits(new float[]{4, -2, 3});
        s.apply(c);
        // id 0: 4/2 - 2*0.5 - 1 = 0 ; id 1: -2*2 - 0.5 - 1 = -5.5 ; id 2 untouched
        float[] byId = new float[3];
        for (int i = 0; i < 3; i++) {
            byId[c.id(i)] = c.logit(i);
        }
        assertArrayEquals(new float[]{0f, -5.5f, 3f}, byId);
    }

    @Test
    void dryPenalisesTheTokenThatExtendsARepeat() {
        DrySampler s = new DrySampler(1, 2, 2, 100, Set.of());
        for (int t : new int[]{5, 6, 7, 8, 5, 6, 7}) {
            s.accept(t);
        }
        // "5 6 7" repeats, last time followed by 8: 8 would extend a repeat of length 3 -> penalty 1 * 2^(3-2) = 2
        Candidates c = Candidates.fromLogits(new float[]{0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        s.apply(c);
        for (int i = 0; i < c.size(); i++) {
            assertEquals(c.id(i) == 8 ? -2f : 0f, c.logit(i), "token " + c.id(i));
        }
    }

    @Test
    void logitBiasAddsAndBans() {
        Candidates c = Candidates.fromLogits(new float[]{1, 1, 1});
        new LogitBiasSampler(LogitBiasSampler.parse("0:-inf, 2:1.5")).apply(c);
        assertEquals(Float.NEGATIVE_INFINITY, c.logit(c.indexOf(0)));
        assertEquals(2.5f, c.logit(c.indexOf(2)));
        assertThrows(IllegalArgumentException.class, () -> LogitBiasSampler.parse("x:1"));
    }

    @Test
    void distIsReproducibleFromItsSeedAndFollowsTheDistribution() {
        int[] counts = new int[5];
        DistPicker a = new DistPicker(123);
        DistPicker b = new DistPicker(123);
        for (int i = 0; i < 20000; i++) {
            int x = a.pick(halves());
            assertEquals(x, b.pick(halves()));
            counts[x]++;
        }
        assertEquals(0.5, counts[0] / 20000.0, 0.02);
        assertEquals(0.25, counts[1] / 20000.0, 0.02);
        assertEquals(0.0625, counts[4] / 20000.0, 0.01);
    }

    @Test
    void mirostatV2AdaptsMuTowardsTau() {
        MirostatV2Picker m = new MirostatV2Picker(1.0, 0.5, 9);
        assertEquals(2.0, m.mu());
        m.pick(halves()); // surprise of any kept token is 1 or 2 bits
        assertNotEquals(2.0, m.mu());
        m.reset();
        assertEquals(2.0, m.mu());
    }

    @Test
    void chainMustEndInAPickerAndRejectsPickersInTheMiddle() {
        var e = assertThrows(IllegalArgumentException.class, () -> SamplerChain.of(List.of(new TopKSampler(3))));
        assertTrue(e.getMessage().contains("must end in a picker"));
        var f = assertThrows(IllegalArgumentException.class, () -> SamplerChain.of(List.of(new GreedyPicker(), new DistPicker(1))));
        assertTrue(f.getMessage().contains("'greedy' picks a token"));
    }

    @Test
    void chainReportsAStageThatBreaksTheDistribution() {
        Sampler nan = new Sampler() {
            public String name() { return "broken"; }
            public void apply(Candidates c) { c.setLogit(0, Float.NaN); }
            public Sampler copy() { return this; }
        };
        try (SamplerChain chain = SamplerChain.of(List.of(nan, new GreedyPicker()))) {
            var e = assertThrows(SamplerException.class, () -> chain.sample(Candidates.fromLogits(new float[]{1, 2})));
            assertEquals("broken", e.stage());
        }
    }

    @Test
    void providerRejectsBadParamsWithTheirNames() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TopPSampler.Provider().create(Map.of("p", 1.5)));
        assertTrue(e.getMessage().contains("'p'") && e.getMessage().contains("[0.0, 1.0]"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> new TopPSampler.Provider().create(Map.of("q", 0.5)));
        assertTrue(f.getMessage().contains("known: [p, min_keep]"), f.getMessage());
    }

    @Test
    void unknownSamplerNameListsTheKnownOnes() {
        var all = io.gptlens.core.plugin.NamedProviders.load(SamplerProvider.class, getClass().getClassLoader());
        var e = assertThrows(IllegalArgumentException.class, () -> all.get("nucleus"));
        assertTrue(e.getMessage().contains("top-p") && e.getMessage().contains("mirostat-v2"), e.getMessage());
        assertEquals(15, all.all().size());
        assertTrue(all.conflicts().isEmpty());
    }
}
