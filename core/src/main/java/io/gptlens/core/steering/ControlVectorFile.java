package io.gptlens.core.steering;

import io.gptlens.core.gguf.GgmlType;
import io.gptlens.core.gguf.GgufException;
import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufWriter;
import io.gptlens.core.gguf.TensorInfo;

import java.io.IOException;
import java.nio.file.Path;

/**
 * llama.cpp's control-vector file, a GGUF that {@code llama-cli --control-vector} loads and
 * {@code llama-cvector-generator} writes: {@code general.architecture = "controlvector"},
 * {@code controlvector.model_hint} (the model's architecture), {@code controlvector.layer_count}
 * (how many layers have a vector), and one F32 tensor of {@code n_embd} values per steered layer,
 * named {@code direction.N} with {@code N >= 1} the layer after whose block it is added. Tensors
 * of other names are skipped, as llama.cpp's loader skips them. GPTLens adds the direction's name as
 * {@code general.name}.
 */
public final class ControlVectorFile {

    static final String PREFIX = "direction.";

    private ControlVectorFile() {
    }

    /** Writes {@code d} for a model of architecture {@code modelHint} (e.g. {@code "llama"}). */
    public static void write(Direction d, String modelHint, Path target) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "controlvector");
        w.putString("controlvector.model_hint", modelHint);
        w.putString("general.name", d.name());
        int count = 0;
        for (int l = 1; l < d.layers(); l++) {
            if (d.at(l) != null) {
                w.addTensor(PREFIX + l, d.at(l), d.embedding());
                count++;
            }
        }
        w.putInt32("controlvector.layer_count", count);
        w.write(target);
    }

    /**
     * Reads a control vector for a model of {@code layers} layers of width {@code embedding}, named
     * by its {@code general.name} (GPTLens writes one), else {@code name}.
     *
     * @throws GgufException when the file is not a GGUF, a direction tensor is not 1-D F32 of
     *                       {@code embedding} values, its layer index is not a number in
     *                       {@code [1, layers)}, or no tensor is a direction
     */
    public static Direction read(Path file, String name, int layers, int embedding) throws IOException {
        try (GgufFile g = GgufFile.open(file)) {
            float[][] vectors = new float[layers][];
            for (TensorInfo t : g.tensors().values()) {
                if (!t.name().startsWith(PREFIX)) {
                    continue;
                }
                int layer;
                try {
                    layer = Integer.parseInt(t.name().substring(PREFIX.length()));
                } catch (NumberFormatException e) {
                    throw new GgufException(file + ": tensor '" + t.name() + "' has no layer number after 'direction.'");
                }
                if (layer < 1 || layer >= layers) {
                    throw new GgufException(file + ": tensor '" + t.name() + "' is for layer " + layer + "; this model steers layers 1 to " + (layers - 1));
                }
                if (t.type() != GgmlType.F32 || t.shape().length != 1 || t.shape()[0] != embedding) {
                    throw new GgufException(file + ": tensor '" + t.name() + "' must be 1-D F32 of " + embedding + " values (the model's width), got "
                            + t.type() + " " + java.util.Arrays.toString(t.shape()));
                }
                vectors[layer] = g.row(t, 0);
            }
            if (java.util.Arrays.stream(vectors).allMatch(java.util.Objects::isNull)) {
                throw new GgufException(file + ": no 'direction.N' tensor: not a control vector");
            }
            return new Direction(g.getString("general.name").filter(n -> !n.isBlank()).orElse(name), embedding, vectors);
        }
    }
}
