package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.plugin.ParamSpec;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every sampler provider meets, built-in or plugin. Extend it, return the provider,
 * parameters that exercise it, and the parameters that make it a no-op (or null if it has none).
 * Published in the core test-jar for plugin authors.
 */
public abstract class SamplerContract {

    /** The provider under test. */
    protected abstract SamplerProvider provider();

    /** Parameters that make the stage do real work (seeded where random). */
    protected abstract Map<String, ?> activeParams();

    /** Parameters under which a reshaping stage changes nothing, or null if there are none (pickers). */
    protected abstract Map<String, ?> noOpParams();

    /** Whether the provider is registered through ServiceLoader on the test classpath. */
    protected boolean registered() {
        return true;
    }

    /** Random logits for a vocabulary of {@code n}. */
    protected static float[] logits(long seed, int n) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) (r.nextGaussian() * 3);
        }
        return l;
    }

    @Test
    void describesItself() {
        SamplerProvider p = provider();
        assertTrue(p.name().matches("[a-z0-9][a-z0-9.\\-]*"), "name: " + p.name());
        assertFalse(p.description().isBlank());
        for (ParamSpec s : p.params()) {
            if (s.type() == ParamSpec.Type.INT || s.type() == ParamSpec.Type.FLOAT) {
                double d = ((Number) s.defaultValue()).doubleValue();
                assertTrue(d >= s.min() && d <= s.max(), s.name() + " default " + d + " outside its range");
            }
        }
    }

    @Test
    void foundByName() {
        if (registered()) {
            var all = NamedProviders.load(SamplerProvider.class, getClass().getClassLoader());
            assertEquals(provider().getClass(), all.get(provider().name()).getClass());
        }
    }

    @Test
    void stageMatchesKindAndName() {
        try (SamplerStage s = provider().create(activeParams())) {
            assertEquals(provider().name(), s.name());
            if (provider().kind() == SamplerProvider.Kind.PICK) {
                assertInstanceOf(Picker.class, s);
            } else {
                assertInstanceOf(Sampler.class, s);
            }
        }
    }

    @Test
    void leavesAValidSubsetOfCandidates() {
        for (long seed = 0; seed < 20; seed++) {
            float[] l = logits(seed, 200);
            Candidates c = Candidates.fromLogits(l);
            SamplerStage s = provider().create(activeParams());
            for (int t = 0; t < 5; t++) {
                s.accept((int) (seed + t) % 200);
            }
            int picked = apply(s, c);
            assertTrue(c.size() >= 1 && c.size() <= 200);
            Set<Integer> ids = new HashSet<>();
            for (int i = 0; i < c.size(); i++) {
                assertTrue(c.id(i) >= 0 && c.id(i) < 200);
                assertTrue(ids.add(c.id(i)), "duplicate id " + c.id(i));
                assertFalse(Float.isNaN(c.logit(i)));
            }
            if (picked >= 0) {
                assertTrue(c.indexOf(picked) >= 0, "picked token " + picked + " not among candidates");
            }
        }
    }

    @Test
    void copyBehavesTheSame() {
        SamplerStage a = provider().create(activeParams());
        for (int t = 0; t < 8; t++) {
            a.accept(t * 7 % 50);
        }
        SamplerStage b = a.copy();
        for (long seed = 0; seed < 5; seed++) {
            Candidates ca = Candidates.fromLogits(logits(100 + seed, 50));
            Candidates cb = ca.copy();
            assertEquals(apply(a, ca), apply(b, cb));
            assertArrayEquals(ca.ids(), cb.ids());
            assertArrayEquals(ca.logits(), cb.logits());
        }
    }

    @Test
    void noOpParamsChangeNothing() {
        Map<String, ?> noOp = noOpParams();
        if (noOp == null) {
            return;
        }
        float[] l = logits(7, 100);
        Candidates c = Candidates.fromLogits(l);
        SamplerStage s = provider().create(noOp);
        s.accept(3);
        s.accept(4);
        s.accept(3);
        apply(s, c);
        assertEquals(100, c.size());
        float[] after = new float[100];
        for (int i = 0; i < c.size(); i++) {
            after[c.id(i)] = c.logit(i);
        }
        assertArrayEquals(l, after);
    }

    /** Runs a stage; returns the picked id for pickers, -1 for samplers. */
    protected static int apply(SamplerStage s, Candidates c) {
        return switch (s) {
            case Sampler r -> {
                r.apply(c);
                yield -1;
            }
            case Picker p -> p.pick(c);
        };
    }
}
