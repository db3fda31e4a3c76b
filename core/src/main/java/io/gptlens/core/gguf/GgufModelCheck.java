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
 * count, embedding width, head counts, vocabulary size, special token ids). Stateless.
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
        if (!hasTensors) {
            return out;
        }
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
        return out;
    }
}
