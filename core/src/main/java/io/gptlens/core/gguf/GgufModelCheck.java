package io.gptlens.core.gguf;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Consistency checks between a GGUF file's metadata and its tensors, run before a model file is
 * handed to a native runtime. Some well-formed but lying files make llama.cpp abort the whole
 * process (for example {@code llama.block_count = 1000} in a 5-layer model); these checks refuse
 * such files with a message instead.
 *
 * <p>The checks are conservative: they look only at facts every architecture shares (layer
 * count, embedding width, head counts, vocabulary size, special token ids), at the float
 * hyperparameters llama.cpp asserts on or divides by (epsilons, rope bases and scaling factors,
 * soft-caps, scales: finite and in range) and at the weight types ggml's matrix multiplication
 * cannot compute (F64 and the integer types abort or crash the process at the first decode).
 * What only computing can show is left to the runtime's preflight (a child process). Stateless.
 */
public final class GgufModelCheck {

    /** llama.cpp's LLAMA_MAX_LAYERS. */
    public static final int MAX_LAYERS = 512;
    /** An upper bound on context length accepted from metadata (2^24 tokens). */
    public static final long MAX_CONTEXT = 1L << 24;

    private static final Pattern BLOCK = Pattern.compile("^blk\\.(\\d+)\\.");

    private GgufModelCheck() {
    }

    /**
     * Returns the problems found, each a full sentence naming the field, the value and the limit;
     * an empty list means the file looks consistent. A vocabulary-only file (no tensors) is checked
     * only for its tokenizer.
     */
    public static List<String> problems(GgufFile f) {
        List<String> out = new ArrayList<>();
        String arch = f.architecture();
        boolean hasTensors = !f.tensors().isEmpty();
        if (arch.isEmpty()) {
            out.add("general.architecture is missing");
            return out;
        }
        if (!arch.matches("[A-Za-z0-9_.\\-]{1,64}")) {
            out.add("general.architecture '" + arch + "' is not a plain name");
            return out;
        }
        long nTokens = -1;
        if (f.get("tokenizer.ggml.tokens").orElse(null) instanceof GgufValue.StrArray tokens) {
            nTokens = tokens.values().size();
            for (String key : List.of("tokenizer.ggml.scores", "tokenizer.ggml.token_type")) {
                int n = switch (f.get(key).orElse(null)) {
                    case GgufValue.FloatArray a -> a.size();
                    case GgufValue.IntArray a -> a.size();
                    case null, default -> -1;
                };
                if (n >= 0 && n != nTokens) {
                    out.add(key + " has " + n + " entries but tokenizer.ggml.tokens has " + nTokens);
                }
            }
            for (var e : f.metadata().entrySet()) {
                if (e.getKey().startsWith("tokenizer.ggml.") && e.getKey().endsWith("_token_id") && e.getValue() instanceof GgufValue.Int id) {
                    // -1 (as uint32 0xFFFFFFFF) means "none" in llama.cpp
                    long v = id.value();
                    if (v != -1 && v != 0xFFFFFFFFL && (v < 0 || v >= nTokens)) {
                        out.add(e.getKey() + " = " + v + " is outside the vocabulary of " + nTokens + " tokens");
                    }
                }
            }
        }
        floats(f, arch, out);
        if (!hasTensors) {
            return out;
        }
        weightTypes(f, out);
        TreeSet<Integer> blocks = new TreeSet<>();
        for (String name : f.tensors().keySet()) {
            Matcher m = BLOCK.matcher(name);
            if (m.find()) {
                try {
                    blocks.add(Integer.parseInt(m.group(1)));
                } catch (NumberFormatException e) {
                    out.add("tensor '" + name + "' has a block number out of range");
                }
            }
        }
        long blockCount = f.getLong(arch + ".block_count").orElse(-1L);
        if (blockCount < 0) {
            out.add(arch + ".block_count is missing");
        } else if (blockCount == 0) {
            out.add(arch + ".block_count = 0: a model needs at least one layer");
        } else if (blockCount > MAX_LAYERS) {
            out.add(arch + ".block_count = " + blockCount + " exceeds llama.cpp's limit of " + MAX_LAYERS + " layers");
        } else if (!blocks.isEmpty() && blockCount > blocks.last() + 1) {
            out.add(arch + ".block_count = " + blockCount + " but the file has tensors for only " + (blocks.last() + 1)
                    + " blocks (blk.0 .. blk." + blocks.last() + ")");
        }
        long embd = f.getLong(arch + ".embedding_length").orElse(-1L);
        if (embd <= 0 || embd > (1 << 20)) {
            out.add(arch + ".embedding_length = " + embd + " must be between 1 and " + (1 << 20));
        }
        TensorInfo tokEmbd = f.tensors().get("token_embd.weight");
        if (tokEmbd != null && embd > 0) {
            if (tokEmbd.rowLength() != embd) {
                out.add("token_embd.weight rows have length " + tokEmbd.rowLength() + " but " + arch + ".embedding_length = " + embd);
            }
            if (nTokens >= 0 && tokEmbd.rowCount() != nTokens) {
                out.add("token_embd.weight has " + tokEmbd.rowCount() + " rows but the vocabulary has " + nTokens + " tokens");
            }
        }
        long ctx = f.getLong(arch + ".context_length").orElse(-1L);
        if (ctx <= 0 || ctx > MAX_CONTEXT) {
            out.add(arch + ".context_length = " + ctx + " must be between 1 and " + MAX_CONTEXT);
        }
        var heads = f.get(arch + ".attention.head_count").orElse(null);
        if (heads instanceof GgufValue.Int h) {
            long nh = h.value();
            if (nh <= 0 || nh > 4096) {
                out.add(arch + ".attention.head_count = " + nh + " must be between 1 and 4096");
            } else if (f.get(arch + ".attention.head_count_kv").orElse(null) instanceof GgufValue.Int kv
                    && (kv.value() <= 0 || kv.value() > nh || nh % kv.value() != 0)) {
                out.add(arch + ".attention.head_count_kv = " + kv.value() + " must divide head_count = " + nh);
            }
        } else if (heads instanceof GgufValue.IntArray ha && blockCount >= 0 && ha.size() != blockCount) {
            out.add(arch + ".attention.head_count has " + ha.size() + " entries for " + blockCount + " blocks");
        }
        experts(f, arch, out);
        f.getString(arch + ".rope.scaling.type").filter(t -> !ROPE_SCALING.contains(t)).ifPresent(t -> out.add(arch
                + ".rope.scaling.type = '" + t + "' is not one llama.cpp knows (" + String.join(", ", ROPE_SCALING) + ")"));
        return out;
    }

    /** The rope scaling types llama.cpp reads (an unknown one aborts it). */
    static final List<String> ROPE_SCALING = List.of("none", "linear", "yarn", "longrope");

    /** Expert counts must agree with each other and with the tensors: llama.cpp asserts on them. */
    private static void experts(GgufFile f, String arch, List<String> out) {
        long experts = f.getLong(arch + ".expert_count").orElse(0L);
        long used = f.getLong(arch + ".expert_used_count").orElse(0L);
        boolean router = f.tensors().keySet().stream().anyMatch(n -> n.endsWith(".ffn_gate_inp.weight"));
        if (experts < 0 || experts > 4096) {
            out.add(arch + ".expert_count = " + experts + " must be between 0 and 4096");
        } else if (used < 0 || used > experts) {
            out.add(arch + ".expert_used_count = " + used + " must be between 0 and expert_count = " + experts);
        } else if (experts > 0 && !router) {
            out.add(arch + ".expert_count = " + experts + " but the file has no expert router tensors (ffn_gate_inp): it is not a mixture of experts");
        }
    }

    /** Weight types ggml can store but not multiply: F64 and integers (llama.cpp crashes at the first decode), the Q8 intermediates. */
    private static final java.util.Set<GgmlType> NOT_COMPUTABLE = java.util.EnumSet.of(GgmlType.F64, GgmlType.I8, GgmlType.I16,
            GgmlType.I32, GgmlType.I64, GgmlType.Q8_1, GgmlType.Q8_K);

    private static void weightTypes(GgufFile f, List<String> out) {
        java.util.Map<GgmlType, List<String>> bad = new java.util.TreeMap<>();
        for (TensorInfo t : f.tensors().values()) {
            if (NOT_COMPUTABLE.contains(t.type())) {
                bad.computeIfAbsent(t.type(), k -> new ArrayList<>()).add(t.name());
            }
        }
        bad.forEach((type, names) -> out.add(names.size() + " tensor" + (names.size() == 1 ? "" : "s") + " (" + names.getFirst()
                + (names.size() > 1 ? ", ..." : "") + ") " + (names.size() == 1 ? "has" : "have") + " type " + type
                + ", which llama.cpp cannot compute with; convert the model to F32, F16, BF16 or a quantized type"));
    }

    /** Largest magnitude accepted for a float hyperparameter llama.cpp computes with (epsilons, rope, soft-caps, scales). */
    static final double MAX_FLOAT = 1e30;

    /**
     * Float hyperparameters ({@code <arch>.*} floats and float arrays): none NaN; epsilons, rope
     * parameters, soft-caps and scales finite and below {@link #MAX_FLOAT} in magnitude; epsilons
     * in [0, 1] (llama.cpp asserts {@code eps >= 0}); rope bases above 0; the rope scaling factor,
     * soft-caps and the alibi bias at least 0.
     */
    private static void floats(GgufFile f, String arch, List<String> out) {
        String prefix = arch + ".";
        for (var e : f.metadata().entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(prefix)) {
                continue;
            }
            double[] values = switch (e.getValue()) {
                case GgufValue.Float v -> new double[] {v.value()};
                case GgufValue.FloatArray a -> a.values();
                default -> null;
            };
            if (values == null) {
                continue;
            }
            String rule = null;
            for (double v : values) {
                rule = floatProblem(key.substring(prefix.length()), v);
                if (rule != null) {
                    out.add(key + " = " + (values.length == 1 ? e.getValue().display() : v + " (in an array)") + " " + rule);
                    break;
                }
            }
        }
    }

    private static String floatProblem(String name, double v) {
        if (Double.isNaN(v)) {
            return "must be a number";
        }
        boolean bounded = name.contains("epsilon") || name.startsWith("rope.") || name.endsWith("softcapping") || name.contains("scale")
                || name.endsWith("max_alibi_bias") || name.endsWith("clamp_kqv");
        // llama.cpp itself writes some unbounded values (-inf as "no bound") for others
        if (bounded && (Double.isInfinite(v) || Math.abs(v) > MAX_FLOAT)) {
            return "must be a finite number";
        }
        if (name.endsWith("epsilon") && (v < 0 || v > 1)) {
            return "must be between 0 and 1";
        }
        if (name.startsWith("rope.freq_base") && v <= 0) {
            return "must be above 0";
        }
        if ((name.equals("rope.scale_linear") || name.equals("rope.scaling.factor") || name.endsWith("softcapping")
                || name.endsWith("max_alibi_bias")) && v < 0) {
            return "must not be negative";
        }
        return null;
    }
}
