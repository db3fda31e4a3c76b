package io.gptlens.core.gguf;

import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameter count of a model, group by group, written out the way explanations of GPT-3 do:
 * "Embedding: d_embd × n_vocab = 12,288 × 50,257 = 617,558,016". Read from the GGUF tensor
 * directory alone (no weights are touched). Stateless.
 */
public final class ModelAnatomy {

    /**
     * One group of parameters.
     *
     * @param name    "Embedding", "Unembedding", "Attention", "MLP", "Norms" or "Other"
     * @param params  number of parameters
     * @param formula how the number comes about, e.g. "d_embd × n_vocab = 64 × 512 = 32,768"
     * @param tensors how many tensors belong to the group
     */
    public record Group(String name, long params, String formula, int tensors) {
    }

    private static final Pattern BLOCK = Pattern.compile("^blk\\.(\\d+)\\.(.+)$");

    private ModelAnatomy() {
    }

    /** Thousands separators, as in "617,558,016". */
    public static String n(long v) {
        return NumberFormat.getIntegerInstance(Locale.US).format(v);
    }

    /** The groups of {@code f}, then a "Total" group. */
    public static List<Group> groups(GgufFile f) {
        Map<String, List<TensorInfo>> byGroup = new LinkedHashMap<>();
        for (String g : List.of("Embedding", "Unembedding", "Attention", "MLP", "Norms", "Other")) {
            byGroup.put(g, new ArrayList<>());
        }
        for (TensorInfo t : f.tensors().values()) {
            byGroup.get(groupOf(t.name())).add(t);
        }
        List<Group> out = new ArrayList<>();
        long total = 0;
        int layers = (int) f.getLong(f.architecture() + ".block_count").orElse(0L).longValue();
        for (var e : byGroup.entrySet()) {
            List<TensorInfo> ts = e.getValue();
            long sum = ts.stream().mapToLong(TensorInfo::elementCount).sum();
            String formula;
            switch (e.getKey()) {
                case "Embedding", "Unembedding" -> {
                    if (ts.isEmpty()) {
                        formula = e.getKey().equals("Unembedding") ? "tied: W_U = W_E (no separate output.weight)" : "none";
                    } else {
                        TensorInfo t = ts.getFirst();
                        long[] s = t.shape();
                        formula = s.length == 2 ? "d_embd × n_vocab = " + n(s[0]) + " × " + n(s[1]) + " = " + n(sum) : n(sum);
                    }
                }
                default -> formula = perLayer(ts, layers, sum);
            }
            if (!ts.isEmpty() || e.getKey().equals("Unembedding")) {
                out.add(new Group(e.getKey(), sum, formula, ts.size()));
            }
            total += sum;
        }
        out.add(new Group("Total", total, n(total), f.tensors().size()));
        return out;
    }

    /** "n_layer × (a + b + ...) = total" when every layer has the same tensors, else the plain sum. */
    private static String perLayer(List<TensorInfo> ts, int layers, long sum) {
        Map<String, Long> perName = new LinkedHashMap<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        long outside = 0;
        for (TensorInfo t : ts) {
            Matcher m = BLOCK.matcher(t.name());
            if (m.matches()) {
                perName.merge(m.group(2), t.elementCount(), (a, b) -> a.equals(b) ? a : -1L);
                count.merge(m.group(2), 1, Integer::sum);
            } else {
                outside += t.elementCount();
            }
        }
        boolean uniform = layers > 0 && !perName.isEmpty() && perName.values().stream().noneMatch(v -> v < 0)
                && count.values().stream().allMatch(c -> c == layers);
        if (!uniform) {
            return n(sum);
        }
        List<String> parts = new ArrayList<>();
        long per = 0;
        for (var e : perName.entrySet()) {
            String short_ = e.getKey().replace(".weight", "").replace(".bias", " bias");
            parts.add(short_ + " " + n(e.getValue()));
            per += e.getValue();
        }
        String s = "n_layer × (" + String.join(" + ", parts) + ") = " + layers + " × " + n(per);
        return outside > 0 ? s + " + " + n(outside) + " = " + n(sum) : s + " = " + n(sum);
    }

    /** The group a tensor name belongs to. */
    static String groupOf(String name) {
        if (name.equals("token_embd.weight")) {
            return "Embedding";
        }
        if (name.equals("output.weight")) {
            return "Unembedding";
        }
        if (name.contains("norm")) {
            return "Norms";
        }
        if (name.contains("attn") || name.contains("wq") || name.contains("wk") || name.contains("wv")) {
            return "Attention";
        }
        if (name.contains("ffn") || name.contains("mlp")) {
            return "MLP";
        }
        return "Other";
    }

    /** The most common tensor type among 2-D weights (the model's quantization as people name it). */
    public static String quantization(GgufFile f) {
        Map<GgmlType, Long> bytes = new LinkedHashMap<>();
        for (TensorInfo t : f.tensors().values()) {
            if (t.shape().length >= 2) {
                bytes.merge(t.type(), t.byteSize(), Long::sum);
            }
        }
        return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(e -> e.getKey().name()).orElse("none");
    }
}
