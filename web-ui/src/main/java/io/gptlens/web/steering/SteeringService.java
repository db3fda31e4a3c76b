package io.gptlens.web.steering;

import io.gptlens.core.DataFolder;
import io.gptlens.core.model.Internals;
import io.gptlens.core.model.Model;
import io.gptlens.core.steering.Contrastive;
import io.gptlens.core.steering.ControlVectorFile;
import io.gptlens.core.steering.Direction;
import io.gptlens.core.steering.Steering;
import io.gptlens.web.explorer.ExplorerService;
import io.gptlens.web.internals.InternalsService;
import io.gptlens.web.models.LoadedModel;
import io.gptlens.web.models.ModelException;
import io.gptlens.web.models.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Directions to steer a model along, made from W_E arithmetic ({@code to - from}, the same vector
 * at every layer of a range) or from contrastive prompts (the residual stream at each prompt's last
 * token, {@link Contrastive}), kept per model file (its sha256) in the data folder as llama.cpp
 * control vectors ({@code steering/<sha256>/<id>.gguf}, loadable by {@code llama-cli --control-vector}),
 * and summed into what a session adds to its residual stream. Thread-safe.
 */
@ApplicationScoped
public class SteeringService {

    /** Most prompts per side of a contrastive direction. */
    public static final int MAX_PROMPTS = 64;
    /** Most steerings applied at once. */
    public static final int MAX_APPLIED = 8;
    /** Strengths beyond this make any model emit noise; refused as a likely mistake. */
    public static final double MAX_STRENGTH = 1000;
    /** Largest control-vector file taken (an 8B model's 32 layers × 4,096 floats are 0.5 MiB). */
    public static final int MAX_FILE_BYTES = 8 << 20;

    /** A saved direction: its id, name, model, the layers it has vectors for, and the mean norm of those vectors. */
    public record Saved(String id, String name, String model, int first, int last, double norm) {
    }

    /** One steering asked for: a saved direction, a strength, and optionally a layer range within the direction's. */
    public record Applied(String direction, double strength, Integer first, Integer last) {
    }

    private final ModelRegistry models;
    private final ExplorerService explorer;
    private final SecureRandom random = new SecureRandom();

    public SteeringService(ModelRegistry models, ExplorerService explorer) {
        this.models = models;
        this.explorer = explorer;
    }

    /**
     * {@code to - from} in W_E (each word's token row, or the mean of its tokens' rows), at every layer
     * in {@code [first, last]} (default: all that can be steered, 1 to n_layer - 1).
     *
     * @throws ModelException INVALID for an unknown word or a layer range out of bounds; UNSUPPORTED for a vocabulary-only model
     */
    public Saved fromEmbeddings(LoadedModel m, String name, String from, String to, Integer first, Integer last) {
        checkSteerable(m);
        float[] a = explorer.word(m, ExplorerService.Matrix.WE, from).vector();
        float[] b = explorer.word(m, ExplorerService.Matrix.WE, to).vector();
        float[] v = new float[a.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = b[i] - a[i];
        }
        int layers = m.model().info().layers();
        int[] range = range(layers, first, last);
        return save(m, invalidIfBad(() -> Direction.uniform(name(name, to + " - " + from), v, layers, range[0], range[1])));
    }

    /**
     * The direction from {@code positive} to {@code negative} prompts ({@link Contrastive.Method#MEAN} or
     * {@link Contrastive.Method#PCA}), from the residual stream after each layer at each prompt's last token.
     *
     * @throws ModelException INVALID for empty, too many or too long prompts, unpaired prompts for PCA, or a bad layer range
     */
    public Saved fromPrompts(LoadedModel m, String name, List<String> positive, List<String> negative, Contrastive.Method method,
                             Integer first, Integer last) {
        checkSteerable(m);
        for (List<String> side : List.of(positive, negative)) {
            if (side == null || side.isEmpty() || side.size() > MAX_PROMPTS) {
                throw new ModelException(ModelException.Kind.INVALID, "Give 1 to " + MAX_PROMPTS + " positive and negative prompts each");
            }
        }
        int layers = m.model().info().layers();
        int[] range = range(layers, first, last);
        List<float[][]> pos = residuals(m, positive);
        List<float[][]> neg = residuals(m, negative);
        return save(m, invalidIfBad(() -> Contrastive.direction(name(name, method.name().toLowerCase(java.util.Locale.ROOT) + " of "
                + positive.size() + " vs " + negative.size() + " prompts"), pos, neg, method, range[0], range[1])));
    }

    /**
     * A control vector in llama.cpp's format (from {@code cvector-generator}, another tool, or GPTLens),
     * checked against {@code m}'s layers and width, saved as a direction; named {@code name}, else by the
     * file's {@code general.name}, else "imported".
     *
     * @throws ModelException INVALID for an empty or too large file; UNREADABLE for a file that is not a
     *                        control vector of this model's shape (the reason says what does not fit)
     */
    public Saved fromFile(LoadedModel m, String name, byte[] gguf) {
        checkSteerable(m);
        if (gguf == null || gguf.length == 0 || gguf.length > MAX_FILE_BYTES) {
            throw new ModelException(ModelException.Kind.INVALID, "A control-vector file of 1 byte to " + MAX_FILE_BYTES / (1 << 20) + " MiB is needed, got "
                    + (gguf == null ? 0 : gguf.length) + " bytes");
        }
        Path tmp = null;
        Direction d;
        try {
            tmp = Files.createTempFile("gptlens-cvec-", ".gguf");
            Files.write(tmp, gguf);
            d = ControlVectorFile.read(tmp, "imported", m.model().info().layers(), m.model().info().embeddingLength());
        } catch (IOException e) {
            throw new ModelException(ModelException.Kind.UNREADABLE, "Not a control vector for model '" + m.id() + "' ("
                    + m.model().info().layers() + " layers of " + m.model().info().embeddingLength() + "): " + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary file left behind is harmless
                }
            }
        }
        Direction named = d;
        return save(m, invalidIfBad(() -> new Direction(name(name, named.name()), named.embedding(), named.vectors())));
    }

    /** The directions saved for {@code m}'s file, oldest first. */
    public List<Saved> list(LoadedModel m) {
        Path dir = folder(m);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Saved> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted(SteeringService::byAge).toList()) {
                out.add(describe(m, id(p), read(m, p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The direction {@code id} of {@code m}. @throws ModelException NOT_FOUND when {@code m} has none by that id */
    public Direction direction(LoadedModel m, String id) {
        return read(m, file(m, id));
    }

    /** Deletes {@code id} of {@code m}. @throws ModelException NOT_FOUND when there is none */
    public void delete(LoadedModel m, String id) {
        try {
            Files.delete(file(m, id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What {@code applied} adds after each layer of {@code m}, summed, for {@link io.gptlens.core.model.Session#steer};
     * null when nothing is added (no steering, or strength 0 everywhere).
     *
     * @throws ModelException NOT_FOUND for an unknown direction, INVALID for a strength or layer range out of bounds
     */
    public float[][] combine(LoadedModel m, List<Applied> applied) {
        if (applied == null || applied.isEmpty()) {
            return null;
        }
        if (applied.size() > MAX_APPLIED) {
            throw new ModelException(ModelException.Kind.INVALID, "At most " + MAX_APPLIED + " steerings at once, got " + applied.size());
        }
        List<Steering> steerings = new ArrayList<>();
        for (Applied a : applied) {
            if (a == null || a.direction() == null) {
                throw new ModelException(ModelException.Kind.INVALID, "Each steering needs a 'direction' (an id from /api/steering/directions)");
            }
            if (!(Math.abs(a.strength()) <= MAX_STRENGTH)) {
                throw new ModelException(ModelException.Kind.INVALID, "strength must be a number in [-" + (int) MAX_STRENGTH + ", " + (int) MAX_STRENGTH
                        + "], got " + a.strength());
            }
            Direction d = direction(m, a.direction());
            int[] span = d.span();
            int first = a.first() == null ? span[0] : a.first();
            int last = a.last() == null ? span[1] : a.last();
            steerings.add(invalidIfBad(() -> new Steering(d, a.strength(), first, last)));
        }
        return invalidIfBad(() -> Steering.combine(steerings, m.model().info().layers(), m.model().info().embeddingLength()));
    }

    private List<float[][]> residuals(LoadedModel m, List<String> prompts) {
        Model model = m.model();
        List<float[][]> out = new ArrayList<>();
        for (String p : prompts) {
            int[] tokens = model.tokenizer().encode(p == null ? "" : p, true, true);
            if (tokens.length == 0 || tokens.length > InternalsService.MAX_TOKENS) {
                throw new ModelException(ModelException.Kind.INVALID, "Each prompt needs 1 to " + InternalsService.MAX_TOKENS + " tokens, got "
                        + tokens.length + " for '" + p + "'");
            }
            Internals in;
            m.acquireSlot();
            try {
                in = model.internals(tokens, Internals.Capture.residualAt(tokens.length - 1));
            } finally {
                m.slots().release();
            }
            float[][] byLayer = new float[in.layers()][];
            for (int l = 0; l < byLayer.length; l++) {
                byLayer[l] = in.residual().get(l)[tokens.length - 1];
            }
            out.add(byLayer);
        }
        return out;
    }

    private static void checkSteerable(LoadedModel m) {
        if (!m.model().canGenerate()) {
            throw new ModelException(ModelException.Kind.UNSUPPORTED, "Model '" + m.id() + "' does not generate: there is nothing to steer");
        }
        if (m.model().info().layers() < 2) {
            throw new ModelException(ModelException.Kind.UNSUPPORTED, "Model '" + m.id() + "' has one layer: llama.cpp steers from layer 1 on");
        }
    }

    private static int[] range(int layers, Integer first, Integer last) {
        int f = first == null ? 1 : first;
        int l = last == null ? layers - 1 : last;
        if (f < 1 || l < f || l >= layers) {
            throw new ModelException(ModelException.Kind.INVALID, "layers must satisfy 1 <= first <= last <= " + (layers - 1) + ", got [" + f + ", " + l + "]");
        }
        return new int[]{f, l};
    }

    private static String name(String given, String made) {
        return given == null || given.isBlank() ? made : given.strip();
    }

    private static <T> T invalidIfBad(java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new ModelException(ModelException.Kind.INVALID, e.getMessage());
        }
    }

    private Saved save(LoadedModel m, Direction d) {
        String id = "dir-" + HexFormat.of().formatHex(randomBytes(6));
        Path target = folder(m).resolve(id + ".gguf");
        try {
            ControlVectorFile.write(d, m.model().info().architecture(), target);
        } catch (IOException e) {
            throw new UncheckedIOException("Saving direction '" + d.name() + "' to " + target + " failed: " + e.getMessage(), e);
        }
        return describe(m, id, d);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static Saved describe(LoadedModel m, String id, Direction d) {
        int[] span = d.span();
        double norm = 0;
        int n = 0;
        for (int l = span[0]; l <= span[1]; l++) {
            if (d.at(l) != null) {
                double s = 0;
                for (float x : d.at(l)) {
                    s += x * x;
                }
                norm += Math.sqrt(s);
                n++;
            }
        }
        return new Saved(id, d.name(), m.id(), span[0], span[1], norm / n);
    }

    private Direction read(LoadedModel m, Path p) {
        try {
            return ControlVectorFile.read(p, id(p), m.model().info().layers(), m.model().info().embeddingLength());
        } catch (IOException e) {
            throw new ModelException(ModelException.Kind.UNREADABLE, "Direction file " + p.getFileName() + " cannot be read: " + e.getMessage());
        }
    }

    private Path folder(LoadedModel m) {
        return DataFolder.resolve("steering").resolve(models.sha256(m));
    }

    private Path file(LoadedModel m, String id) {
        if (id == null || !id.matches("dir-[0-9a-f]{12}")) {
            throw new ModelException(ModelException.Kind.NOT_FOUND, "No direction '" + id + "' (ids look like dir-0123456789ab)");
        }
        Path p = folder(m).resolve(id + ".gguf");
        if (!Files.isRegularFile(p)) {
            throw new ModelException(ModelException.Kind.NOT_FOUND, "Model '" + m.id() + "' has no direction '" + id + "'");
        }
        return p;
    }

    private static String id(Path p) {
        String n = p.getFileName().toString();
        return n.substring(0, n.length() - ".gguf".length());
    }

    private static int byAge(Path a, Path b) {
        try {
            return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b));
        } catch (IOException e) {
            return a.compareTo(b);
        }
    }
}
