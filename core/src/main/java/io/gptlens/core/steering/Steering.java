package io.gptlens.core.steering;

import java.util.List;

/**
 * A direction applied with a strength over a range of layers; several add up to what a session
 * adds to its residual stream (llama.cpp holds one control vector per context).
 *
 * @param direction the direction
 * @param strength  its multiplier: 0 changes nothing, negative steers away
 * @param first     the first layer steered (inclusive, >= 1)
 * @param last      the last layer steered (inclusive)
 */
public record Steering(Direction direction, double strength, int first, int last) {

    public Steering {
        if (direction == null) {
            throw new IllegalArgumentException("Steering needs a direction");
        }
        if (!Double.isFinite(strength)) {
            throw new IllegalArgumentException("strength must be a finite number, got " + strength);
        }
        Direction.checkRange(direction.layers(), first, last);
    }

    /** The direction at {@code strength} on every layer it has a vector for. */
    public static Steering of(Direction d, double strength) {
        int[] span = d.span();
        if (span == null) {
            throw new IllegalArgumentException("Direction '" + d.name() + "' has no vector at any layer");
        }
        return new Steering(d, strength, span[0], span[1]);
    }

    /**
     * What {@code steerings} add after each layer's block, summed: {@code [layer][d]}, null where
     * nothing is added (layer 0 always). Null when nothing is added anywhere (no steering, or only
     * strength 0), so that no steering and strength 0 run the model unchanged.
     *
     * @throws IllegalArgumentException when the directions do not fit a {@code layers}-layer model of width {@code embedding}
     */
    public static float[][] combine(List<Steering> steerings, int layers, int embedding) {
        float[][] sum = new float[layers][];
        boolean any = false;
        for (Steering s : steerings) {
            Direction d = s.direction();
            if (d.layers() != layers || d.embedding() != embedding) {
                throw new IllegalArgumentException("Direction '" + d.name() + "' is for " + d.layers() + " layers of " + d.embedding()
                        + " values; this model has " + layers + " of " + embedding);
            }
            if (s.strength() == 0) {
                continue;
            }
            for (int l = s.first(); l <= s.last(); l++) {
                float[] v = d.at(l);
                if (v == null) {
                    continue;
                }
                if (sum[l] == null) {
                    sum[l] = new float[embedding];
                }
                for (int i = 0; i < embedding; i++) {
                    sum[l][i] += (float) (s.strength() * v[i]);
                }
                any = true;
            }
        }
        return any ? sum : null;
    }
}
