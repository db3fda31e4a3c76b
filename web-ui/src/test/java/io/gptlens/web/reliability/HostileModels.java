package io.gptlens.web.reliability;

import io.gptlens.core.gguf.GgmlType;
import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.gguf.GgufValue;
import io.gptlens.core.gguf.GgufValueType;
import io.gptlens.core.gguf.GgufWriter;
import io.gptlens.core.gguf.TensorInfo;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Hostile GGUF files derived from a sound model, for the fuzz campaign: every numeric metadata
 * value set to hostile values (0, 1, -1, huge, NaN, +-inf, and a float where an integer belongs),
 * arrays cut short, special token ids outside the vocabulary, added keys that llama.cpp reads
 * (rope scaling, experts, sliding window, key/value lengths, soft-caps, scales, alignment), tensor
 * types, dimensions and offsets that lie (patched into the written bytes), and seeded random
 * corruption of the header. Deterministic: the same base and seed give the same cases.
 */
public final class HostileModels {

    /** One hostile file: a label saying what was changed, and how to write it. */
    public record Case(String label, Writer writer) {
        Case relabel(String newLabel) {
            return new Case(newLabel, writer);
        }
    }

    /** Writes a case's file. */
    @FunctionalInterface
    public interface Writer {
        void write(Path out) throws IOException;
    }

    private static final double[] HOSTILE_FLOATS = {0, 1, -1, 1e30, 3.4e38, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};

    private final Path base;
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<TensorInfo> tensors = new ArrayList<>();
    private final Map<String, byte[]> data = new LinkedHashMap<>();
    private final String arch;
    private final int nVocab;

    /** Reads {@code base} (kept in memory: use small models). */
    public HostileModels(Path base) throws IOException {
        this.base = base;
        try (GgufFile f = GgufFile.open(base)) {
            metadata.putAll(f.metadata());
            for (TensorInfo t : f.tensors().values()) {
                tensors.add(t);
                data.put(t.name(), f.tensorData(t).toArray(ValueLayout.JAVA_BYTE));
            }
            arch = f.architecture();
            nVocab = f.get("tokenizer.ggml.tokens").orElseThrow() instanceof GgufValue.StrArray a ? a.values().size() : 0;
        }
    }

    /** All structured cases, then seeded random header corruptions until there are at least {@code atLeast}. */
    public List<Case> cases(int atLeast, long seed) {
        List<Case> out = new ArrayList<>();
        numericValues(out);
        arrays(out);
        tokenIds(out);
        addedKeys(out);
        tensorLies(out);
        Random r = new Random(seed);
        for (int i = 0; out.size() < atLeast; i++) {
            long s = r.nextLong();
            int flips = 1 + (i % 4);
            out.add(new Case("random header corruption #" + i + " (" + flips + " bytes, seed " + s + ")", p -> corrupt(p, flips, s)));
        }
        return out;
    }

    private String name() {
        return base.getFileName().toString();
    }

    // --- metadata ------------------------------------------------------------------------------

    private void numericValues(List<Case> out) {
        for (var e : metadata.entrySet()) {
            String key = e.getKey();
            switch (e.getValue()) {
                case GgufValue.Int i -> {
                    for (long v : hostileInts(i.type())) {
                        out.add(withValue(key, new GgufValue.Int(i.type(), v)));
                    }
                    out.add(withValue(key, new GgufValue.Float(GgufValueType.FLOAT32, Double.NaN)));
                    out.add(withValue(key, new GgufValue.Str("12")));
                }
                case GgufValue.Float f -> {
                    for (double v : HOSTILE_FLOATS) {
                        out.add(withValue(key, new GgufValue.Float(f.type(), v)));
                    }
                    out.add(withValue(key, new GgufValue.Int(GgufValueType.UINT32, 0xFFFFFFFFL)));
                }
                case GgufValue.Bool b -> out.add(withValue(key, new GgufValue.Bool(!b.value())));
                default -> {
                }
            }
        }
    }

    private static long[] hostileInts(GgufValueType t) {
        long max = switch (t) {
            case UINT8 -> 0xFF;
            case INT8 -> Byte.MAX_VALUE;
            case UINT16 -> 0xFFFF;
            case INT16 -> Short.MAX_VALUE;
            case UINT32 -> 0xFFFFFFFFL;
            case INT32 -> Integer.MAX_VALUE;
            default -> Long.MAX_VALUE;
        };
        boolean unsigned = t == GgufValueType.UINT8 || t == GgufValueType.UINT16 || t == GgufValueType.UINT32 || t == GgufValueType.UINT64;
        long minusOne = unsigned ? (t == GgufValueType.UINT64 ? -1L : max) : -1;
        long half = t == GgufValueType.UINT32 || t == GgufValueType.INT32 || t == GgufValueType.UINT64 || t == GgufValueType.INT64 ? 1L << 30 : max / 2;
        return new long[] {0, 1, minusOne, max, half, 3};
    }

    private void arrays(List<Case> out) {
        for (var e : metadata.entrySet()) {
            String key = e.getKey();
            int n = switch (e.getValue()) {
                case GgufValue.StrArray a -> a.values().size();
                case GgufValue.IntArray a -> a.size();
                case GgufValue.FloatArray a -> a.size();
                default -> -1;
            };
            if (n < 1) {
                continue;
            }
            for (int keep : new int[] {0, 1, n / 2, n - 1}) {
                out.add(withValue(key, cut(e.getValue(), keep)).relabel(key + " cut to " + keep + " of " + n + " entries"));
            }
            switch (e.getValue()) {
                case GgufValue.FloatArray a -> {
                    double[] v = a.values().clone();
                    v[n / 2] = Double.NaN;
                    v[0] = Double.POSITIVE_INFINITY;
                    out.add(withValue(key, new GgufValue.FloatArray(a.elementType(), v)).relabel(key + " with NaN and inf entries"));
                }
                case GgufValue.IntArray a -> {
                    for (long bad : new long[] {-1, 99, 1L << 31}) {
                        long[] v = a.values().clone();
                        v[n / 2] = bad;
                        out.add(withValue(key, new GgufValue.IntArray(a.elementType(), v)).relabel(key + " with an entry " + bad));
                    }
                }
                case GgufValue.StrArray a -> {
                    List<String> v = new ArrayList<>(a.values());
                    v.set(n / 2, "");
                    v.set(n - 1, v.get(0)); // a duplicate token
                    out.add(withValue(key, new GgufValue.StrArray(v)).relabel(key + " with an empty and a duplicate entry"));
                    if (key.equals("tokenizer.ggml.merges")) {
                        List<String> w = new ArrayList<>(a.values());
                        w.set(0, "nonesuch-left nonesuch-right");
                        w.set(n / 2, "nospace");
                        out.add(withValue(key, new GgufValue.StrArray(w)).relabel(key + " naming tokens not in the vocabulary"));
                    }
                }
                default -> {
                }
            }
        }
    }

    private static GgufValue cut(GgufValue v, int keep) {
        return switch (v) {
            case GgufValue.StrArray a -> new GgufValue.StrArray(a.values().subList(0, keep));
            case GgufValue.IntArray a -> new GgufValue.IntArray(a.elementType(), Arrays.copyOf(a.values(), keep));
            case GgufValue.FloatArray a -> new GgufValue.FloatArray(a.elementType(), Arrays.copyOf(a.values(), keep));
            default -> v;
        };
    }

    private void tokenIds(List<Case> out) {
        for (String which : List.of("bos", "eos", "unknown", "padding", "seperator", "eot", "eom", "mask", "prefix", "fim_pre")) {
            String key = "tokenizer.ggml." + which + "_token_id";
            for (long v : new long[] {nVocab, nVocab + 1000L, 1L << 31, 0xFFFFFFFEL}) {
                out.add(withValue(key, new GgufValue.Int(GgufValueType.UINT32, v)));
            }
        }
        out.add(withValue("tokenizer.ggml.model", new GgufValue.Str("nonesuch")));
        out.add(withValue("tokenizer.ggml.pre", new GgufValue.Str("nonesuch")));
        out.add(withValue("tokenizer.chat_template", new GgufValue.Str("{% for m in messages %}{{ m.content }}{% endfor %}{{ raise_exception('x') }}")));
    }

    private void addedKeys(List<Case> out) {
        String a = arch + ".";
        for (String s : List.of("linear", "yarn", "longrope", "none", "nonesuch", "")) {
            out.add(withValue(a + "rope.scaling.type", new GgufValue.Str(s)));
        }
        List<String> ints = List.of("rope.scaling.original_context_length", "rope.dimension_count", "expert_count", "expert_used_count",
                "expert_shared_count", "expert_gating_func", "attention.sliding_window", "attention.key_length", "attention.value_length",
                "attention.head_count_kv", "feed_forward_length", "pooling_type", "vocab_size", "leading_dense_block_count",
                "attention.q_lora_rank", "attention.kv_lora_rank", "rope.scaling.finetuned", "embedding_length_per_layer_input",
                "n_deepstack_layers", "attention.shared_kv_layers");
        for (String k : ints) {
            for (long v : new long[] {0, 1, 0xFFFFFFFFL, 1L << 30, 7}) {
                out.add(withValue(a + k, new GgufValue.Int(GgufValueType.UINT32, v)));
            }
        }
        List<String> floats = List.of("rope.scaling.factor", "rope.scaling.attn_factor", "rope.scale_linear", "rope.freq_base",
                "rope.freq_base_swa", "rope.scaling.yarn_log_multiplier", "attn_logit_softcapping", "final_logit_softcapping", "logit_scale",
                "embedding_scale", "residual_scale", "attention.scale", "attention.clamp_kqv", "attention.max_alibi_bias",
                "attention.layer_norm_epsilon", "expert_weights_scale", "rope.scaling.yarn_beta_fast");
        for (String k : floats) {
            for (double v : HOSTILE_FLOATS) {
                out.add(withValue(a + k, new GgufValue.Float(GgufValueType.FLOAT32, v)));
            }
        }
        int layers = (int) (metadata.get(a + "block_count") instanceof GgufValue.Int i ? Math.min(i.value(), 64) : 1);
        for (String k : List.of("attention.head_count", "attention.head_count_kv", "feed_forward_length", "attention.sliding_window_pattern")) {
            long[] shortArray = new long[Math.max(0, layers - 1)];
            Arrays.fill(shortArray, 1);
            out.add(withValue(a + k, new GgufValue.IntArray(GgufValueType.UINT32, shortArray)).relabel(a + k + " as an array one entry short"));
            long[] zeros = new long[layers];
            out.add(withValue(a + k, new GgufValue.IntArray(GgufValueType.UINT32, zeros)).relabel(a + k + " as an array of zeros"));
        }
        out.add(withValue(a + "rope.dimension_sections", new GgufValue.IntArray(GgufValueType.INT32, new long[] {1 << 20, -1, 0, 3}))
                .relabel(a + "rope.dimension_sections with hostile entries"));
        out.add(withValue(a + "causal", new GgufValue.Bool(false)));
        for (long v : new long[] {1, 3, 64, 1 << 20, 0}) {
            out.add(new Case("general.alignment = " + v + " (tensor offsets not moved)", p -> {
                writeWith(p, "general.alignment", new GgufValue.Int(GgufValueType.UINT32, 32));
                patchAfterKey(p, "general.alignment", v);
            }));
        }
        out.add(withValue("general.architecture", new GgufValue.Str("nonesuch")));
        out.add(withValue("general.architecture", new GgufValue.Str(arch.equals("llama") ? "qwen2" : "llama")));
        out.add(withValue("general.architecture", new GgufValue.Str("bert")));
        out.add(withValue("general.architecture", new GgufValue.Str("gemma3")));
    }

    // --- tensors -------------------------------------------------------------------------------

    private void tensorLies(List<Case> out) {
        List<TensorInfo> chosen = new ArrayList<>();
        for (String n : List.of("token_embd.weight", "blk.0.attn_q.weight", "output_norm.weight", "blk.0.ffn_down.weight", "output.weight")) {
            tensors.stream().filter(t -> t.name().equals(n)).findFirst().ifPresent(chosen::add);
        }
        for (TensorInfo t : chosen) {
            for (int type : new int[] {GgmlType.F64.id(), GgmlType.I32.id(), GgmlType.I8.id(), GgmlType.F16.id(), GgmlType.Q4_0.id(),
                    GgmlType.Q8_K.id(), GgmlType.BF16.id(), 4, 255}) {
                out.add(new Case(t.name() + " labelled type " + type + " (bytes unchanged)", p -> {
                    writeBase(p);
                    patchTensor(p, t, Field.TYPE, 0, type);
                }));
            }
            for (long dim : new long[] {0, 1, t.shape()[0] + 1, t.shape()[0] * 2, 1L << 40, -1}) {
                out.add(new Case(t.name() + " dimension 0 = " + dim, p -> {
                    writeBase(p);
                    patchTensor(p, t, Field.DIM, 0, dim);
                }));
            }
            if (t.shape().length > 1) {
                for (long dim : new long[] {1, t.shape()[1] - 1, t.shape()[1] + 1}) {
                    out.add(new Case(t.name() + " dimension 1 = " + dim, p -> {
                        writeBase(p);
                        patchTensor(p, t, Field.DIM, 1, dim);
                    }));
                }
            }
            for (long delta : new long[] {1, 32, -32, 1L << 40}) {
                out.add(new Case(t.name() + " offset moved by " + delta, p -> {
                    writeBase(p);
                    patchTensor(p, t, Field.OFFSET, 0, delta);
                }));
            }
        }
        out.add(new Case("every tensor at offset 0 (overlapping)", p -> {
            writeBase(p);
            for (TensorInfo t : tensors) {
                patchTensor(p, t, Field.OFFSET_ABSOLUTE, 0, 0);
            }
        }));
        out.add(new Case("a tensor missing (blk.0.attn_k.weight)", p -> {
            GgufWriter w = new GgufWriter();
            metadata.forEach(w::put);
            for (TensorInfo t : tensors) {
                if (!t.name().equals("blk.0.attn_k.weight")) {
                    w.addTensor(t.name(), t.type(), data.get(t.name()), t.shape());
                }
            }
            w.write(p);
        }));
        out.add(new Case("an extra tensor of a block beyond block_count", p -> {
            GgufWriter w = new GgufWriter();
            metadata.forEach(w::put);
            for (TensorInfo t : tensors) {
                w.addTensor(t.name(), t.type(), data.get(t.name()), t.shape());
            }
            w.addTensor("blk.999.attn_norm.weight", new float[4], 4);
            w.write(p);
        }));
        out.add(new Case("file cut in the middle of the data", p -> {
            writeBase(p);
            try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2);
            }
        }));
    }

    private enum Field { TYPE, DIM, OFFSET, OFFSET_ABSOLUTE }

    /** Finds a tensor's directory entry in the written bytes and overwrites one field. */
    private static void patchTensor(Path p, TensorInfo t, Field field, int dim, long value) throws IOException {
        byte[] b = Files.readAllBytes(p);
        byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
        int at = find(b, lengthPrefixed(name));
        if (at < 0) {
            throw new IOException("tensor " + t.name() + " not found in " + p);
        }
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int pos = at + 8 + name.length;
        int nDims = buf.getInt(pos);
        int dims = pos + 4;
        int type = dims + 8 * nDims;
        int offset = type + 4;
        switch (field) {
            case TYPE -> buf.putInt(type, (int) value);
            case DIM -> buf.putLong(dims + 8 * dim, value);
            case OFFSET -> buf.putLong(offset, buf.getLong(offset) + value);
            case OFFSET_ABSOLUTE -> buf.putLong(offset, value);
        }
        Files.write(p, b);
    }

    private static void patchAfterKey(Path p, String key, long value) throws IOException {
        byte[] b = Files.readAllBytes(p);
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int at = find(b, lengthPrefixed(k));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at + 8 + k.length + 4, (int) value);
        Files.write(p, b);
    }

    private static byte[] lengthPrefixed(byte[] s) {
        return ByteBuffer.allocate(8 + s.length).order(ByteOrder.LITTLE_ENDIAN).putLong(s.length).put(s).array();
    }

    private static int find(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private void corrupt(Path p, int flips, long seed) throws IOException {
        writeBase(p);
        long header;
        try (GgufFile f = GgufFile.open(p)) {
            header = f.dataOffset();
        }
        byte[] b = Files.readAllBytes(p);
        Random r = new Random(seed);
        for (int i = 0; i < flips; i++) {
            int at = 24 + r.nextInt((int) Math.min(Integer.MAX_VALUE, header - 24));
            b[at] = switch (r.nextInt(4)) {
                case 0 -> (byte) 0xFF;
                case 1 -> 0;
                case 2 -> (byte) (b[at] ^ (1 << r.nextInt(8)));
                default -> (byte) r.nextInt(256);
            };
        }
        Files.write(p, b);
    }

    // --- writing -------------------------------------------------------------------------------

    /** The base with one metadata value set (added if absent). */
    public void writeWithValue(Path out, String key, GgufValue value) throws IOException {
        writeWith(out, key, value);
    }

    private Case withValue(String key, GgufValue value) {
        return new Case(key + " = " + shortDisplay(value), p -> writeWith(p, key, value));
    }

    private static String shortDisplay(GgufValue v) {
        String s = v.display();
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    private void writeBase(Path p) throws IOException {
        writeWith(p, null, null);
    }

    private void writeWith(Path p, String key, GgufValue value) throws IOException {
        GgufWriter w = new GgufWriter();
        metadata.forEach((k, v) -> w.put(k, k.equals(key) ? value : v));
        if (key != null) {
            w.put(key, value);
        }
        for (TensorInfo t : tensors) {
            w.addTensor(t.name(), t.type(), data.get(t.name()), t.shape());
        }
        w.write(p);
    }
}
