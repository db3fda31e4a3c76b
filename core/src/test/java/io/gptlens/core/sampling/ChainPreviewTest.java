package io.gptlens.core.sampling;

import io.gptlens.core.plugin.NamedProviders;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ChainPreviewTest {

    @Test
    void showsTheDistributionAfterEachStageAndWhatItRemoved() {
        var providers = NamedProviders.load(SamplerProvider.class, getClass().getClassLoader());
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.125), (float) Math.log(0.0625), (float) Math.log(0.0625)};
        var snaps = ChainPreview.run(providers, List.of(StageSpec.of("top-k", "k", 3), StageSpec.of("temperature", "t", 0.0),
                StageSpec.of("dist")), logits, 1);
        assertEquals(List.of("model", "top-k", "temperature"), snaps.stream().map(ChainPreview.Snapshot::stage).toList());
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, snaps.get(0).ids());
        assertEquals(0.5f, snaps.get(0).p(0), 1e-6f);
        assertEquals(2, snaps.get(1).removed());
        assertEquals(0.5f / 0.875f, snaps.get(1).p(0), 1e-6f);
        assertEquals(0f, snaps.get(1).p(4));
        assertArrayEquals(new int[]{0}, snaps.get(2).ids());
        assertEquals(1f, snaps.get(2).p(0));
    }
}
