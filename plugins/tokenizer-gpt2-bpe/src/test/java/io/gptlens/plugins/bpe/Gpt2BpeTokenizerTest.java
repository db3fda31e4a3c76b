package io.gptlens.plugins.bpe;

import io.gptlens.core.gguf.GgufFile;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.core.tokenizer.TokenizerProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Equal to llama.cpp's tokenizer on llama.cpp's own gpt-2 test vectors, every case. */
class Gpt2BpeTokenizerTest extends io.gptlens.core.tokenizer.TokenizerContract {

    @Override
    protected Tokenizer tokenizer() {
        try (GgufFile f = GgufFile.open(vocab())) {
            return new Gpt2BpeTokenizer.Provider().create(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }


    static Path vocab() {
        Path p = Path.of(System.getProperty("gptlens.llama.source", ""), "models", "ggml-vocab-gpt-2.gguf");
        assertTrue(Files.exists(p), "llama.cpp's vocabularies (fetched by runtime-native's build) at " + p);
        return p;
    }

    @Test
    void everyGpt2TestVectorMatchesLlamaCpp() throws Exception {
        Path v = vocab();
        String raw = Files.readString(Path.of(v + ".inp"), StandardCharsets.UTF_8);
        List<String> outs = Files.readAllLines(Path.of(v + ".out"), StandardCharsets.UTF_8);
        List<String> ins = new ArrayList<>(Arrays.asList(raw.split("\n__ggml_vocab_test__\n", -1)));
        if (!ins.isEmpty() && ins.getLast().isEmpty() && ins.size() == outs.size() + 1) {
            ins.removeLast();
        }
        assertEquals(ins.size(), outs.size());
        Map<String, int[]> cases = new LinkedHashMap<>();
        for (int i = 0; i < ins.size(); i++) {
            String o = outs.get(i).strip();
            cases.put(ins.get(i), o.isEmpty() ? new int[0] : Arrays.stream(o.split(" ")).mapToInt(Integer::parseInt).toArray());
        }
        try (GgufFile f = GgufFile.open(v)) {
            var providers = NamedProviders.load(TokenizerProvider.class, getClass().getClassLoader());
            TokenizerProvider p = providers.get("gpt2-bpe");
            assertTrue(p.supports(f));
            Tokenizer t = p.create(f);
            List<String> failures = new ArrayList<>();
            for (var e : cases.entrySet()) {
                int[] got = t.encode(e.getKey(), false, false);
                if (!Arrays.equals(got, e.getValue())) {
                    failures.add("'" + e.getKey() + "': expected " + Arrays.toString(e.getValue()) + " got " + Arrays.toString(got));
                }
                assertEquals(e.getKey(), t.decode(got, false, false), "decode inverts encode");
            }
            assertEquals(List.of(), failures, failures.size() + " of " + cases.size() + " cases differ");
            System.out.println("gpt2-bpe: " + cases.size() + " of " + cases.size() + " llama.cpp test vectors equal");
        }
    }
}
