package io.gptlens.llamacpp;

import io.gptlens.core.model.LoadOptions;
import io.gptlens.core.model.Model;
import io.gptlens.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * llama.cpp's tokenizer test vectors ({@code models/ggml-vocab-*.gguf} with {@code .inp}/{@code .out})
 * through GPTLens's {@link Tokenizer}, compared as {@code tests/test-tokenizer-0.cpp} does: inputs
 * separated by {@code "\n__ggml_vocab_test__\n"}, one line of space-separated ids per input,
 * tokenized without special tokens added and without parsing specials.
 */
class TokenizerVectorsTest {

    private static final String SEP = "\n__ggml_vocab_test__\n";

    @TestFactory
    Stream<DynamicTest> everyCaseOfEveryVocabulary() throws Exception {
        Path models = TestFiles.llamaSource().resolve("models");
        List<Path> vocabs;
        try (var s = Files.list(models)) {
            vocabs = s.filter(p -> p.getFileName().toString().endsWith(".gguf"))
                    .filter(p -> Files.exists(Path.of(p + ".inp")) && Files.exists(Path.of(p + ".out")))
                    .sorted().toList();
        }
        assertTrue(vocabs.size() >= 14, "expected llama.cpp's vocabularies, found " + vocabs);
        return vocabs.stream().map(v -> DynamicTest.dynamicTest(v.getFileName().toString(), () -> check(v)));
    }

    private static void check(Path vocab) throws Exception {
        Map<String, int[]> cases = read(vocab);
        assertTrue(cases.size() > 10, "too few cases in " + vocab);
        try (Model m = new LlamaBackend().load(vocab, LoadOptions.defaults().withVocabOnly(true), null)) {
            Tokenizer t = m.tokenizer();
            List<String> failures = new ArrayList<>();
            for (var e : cases.entrySet()) {
                int[] got = t.encode(e.getKey(), false, false);
                if (!Arrays.equals(got, e.getValue())) {
                    failures.add("'" + e.getKey() + "': expected " + Arrays.toString(e.getValue()) + " got " + Arrays.toString(got));
                }
            }
            assertEquals(List.of(), failures, vocab.getFileName() + ": " + failures.size() + " of " + cases.size() + " cases differ");
        }
    }

    /** Reads the cases as test-tokenizer-0.cpp does (later duplicates of an input replace earlier ones). */
    static Map<String, int[]> read(Path vocab) throws Exception {
        String raw = Files.readString(Path.of(vocab + ".inp"), StandardCharsets.UTF_8);
        List<String> outs = Files.readAllLines(Path.of(vocab + ".out"), StandardCharsets.UTF_8);
        List<String> ins = new ArrayList<>();
        int pos = 0;
        while (pos < raw.length()) {
            int next = raw.indexOf(SEP, pos);
            if (next < 0) {
                ins.add(raw.substring(pos));
                break;
            }
            ins.add(raw.substring(pos, next));
            pos = next + SEP.length();
        }
        assertEquals(ins.size(), outs.size(), "inputs and outputs differ in number for " + vocab);
        Map<String, int[]> cases = new LinkedHashMap<>();
        for (int i = 0; i < ins.size(); i++) {
            String o = outs.get(i).strip();
            int[] ids = o.isEmpty() ? new int[0] : Arrays.stream(o.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.put(ins.get(i), ids);
        }
        return cases;
    }

    @org.junit.jupiter.api.Test
    void decodeInvertsEncodeOnLlamaSpm() throws Exception {
        Path v = TestFiles.llamaSource().resolve("models/ggml-vocab-llama-spm.gguf");
        try (Model m = new LlamaBackend().load(v, LoadOptions.defaults(), null)) {
            Tokenizer t = m.tokenizer();
            assertTrue(m.info().vocabOnly());
            int[] ids = t.encode("Hello world", true, false);
            assertArrayEquals(new int[]{1, 15043, 3186}, ids);
            assertEquals(" Hello world", t.decode(ids, true, false)); // llama.cpp keeps the SPM space prefix
            assertEquals(" Hello", t.piece(15043, false).text());
            assertEquals(32000, t.vocabularySize());
            assertEquals(1, t.specialTokens().bos());
            assertEquals(io.gptlens.core.tokenizer.TokenType.CONTROL, t.type(1));
            assertEquals(io.gptlens.core.tokenizer.TokenType.BYTE, t.type(13));
        }
    }

    @org.junit.jupiter.api.Test
    void tokenizerProviderIsFoundByNameAndAgreesWithTheVectors() throws Exception {
        var providers = io.gptlens.core.plugin.NamedProviders.load(io.gptlens.core.tokenizer.TokenizerProvider.class, getClass().getClassLoader());
        Path v = TestFiles.llamaSource().resolve("models/ggml-vocab-gpt-2.gguf");
        try (var f = io.gptlens.core.gguf.GgufFile.open(v)) {
            var p = providers.get("llama.cpp");
            assertTrue(p.supports(f));
            Tokenizer t = p.create(f);
            for (var e : read(v).entrySet()) {
                assertArrayEquals(e.getValue(), t.encode(e.getKey(), false, false), e.getKey());
            }
        }
    }
}
