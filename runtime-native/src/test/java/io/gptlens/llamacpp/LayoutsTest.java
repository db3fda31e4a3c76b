package io.gptlens.llamacpp;

import io.gptlens.core.gguf.GgmlType;
import io.gptlens.llamacpp.internal.Layouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles a C program against llama.cpp's own headers and checks that every hand-written struct
 * layout has the C struct's size and every named field the C offset; and that {@link GgmlType}
 * agrees with ggml on every block and type size.
 */
class LayoutsTest {

    @TempDir
    Path dir;

    private static final List<StructLayout> STRUCTS = List.of(Layouts.MODEL_PARAMS, Layouts.CONTEXT_PARAMS, Layouts.BATCH,
            Layouts.TOKEN_DATA, Layouts.TOKEN_DATA_ARRAY, Layouts.QUANTIZE_PARAMS, Layouts.GGML_TYPE_TRAITS, Layouts.GGML_TENSOR_HEAD,
            Layouts.SAMPLER_I, Layouts.SAMPLER, Layouts.SAMPLER_CHAIN_PARAMS, Layouts.OPT_OPTIMIZER_PARAMS, Layouts.OPT_PARAMS);

    /** Layouts that describe only the head of a larger struct: offsets are checked, not the size. */
    private static final java.util.Set<String> PARTIAL = java.util.Set.of("ggml_tensor");

    @Test
    void everyStructSizeAndFieldOffsetMatchesTheHeader() throws Exception {
        Path src = TestFiles.llamaSource();
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"llama.h\"\n#include \"ggml.h\"\nint main(void) {\n");
        Map<String, Long> expected = new LinkedHashMap<>();
        for (StructLayout s : STRUCTS) {
            String name = s.name().orElseThrow();
            if (!PARTIAL.contains(name)) {
                c.append("  printf(\"%s sizeof %zu\\n\", \"").append(name).append("\", sizeof(struct ").append(name).append("));\n");
                expected.put(name + " sizeof", s.byteSize());
            }
            for (MemoryLayout m : s.memberLayouts()) {
                if (m instanceof PaddingLayout) {
                    continue;
                }
                String f = m.name().orElseThrow();
                c.append("  printf(\"%s %s %zu\\n\", \"").append(name).append("\", \"").append(f).append("\", offsetof(struct ")
                        .append(name).append(", ").append(f).append("));\n");
                expected.put(name + " " + f, Layouts.offset(s, f));
            }
        }
        c.append("  printf(\"ggml_threadpool_params sizeof %zu\\n\", sizeof(struct ggml_threadpool_params));\n");
        expected.put("ggml_threadpool_params sizeof", Layouts.THREADPOOL_PARAMS_SIZE);
        c.append("  printf(\"ggml_threadpool_params poll %zu\\n\", offsetof(struct ggml_threadpool_params, poll));\n");
        expected.put("ggml_threadpool_params poll", Layouts.THREADPOOL_POLL_OFFSET);
        c.append("  return 0;\n}\n");
        Path file = dir.resolve("layouts.c");
        Files.writeString(file, c);
        Path exe = dir.resolve("layouts");
        run(List.of("gcc", "-std=c11", "-I", src.resolve("include").toString(), "-I", src.resolve("ggml/include").toString(),
                file.toString(), "-o", exe.toString()));
        String out = run(List.of(exe.toString()));
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int sp = line.lastIndexOf(' ');
            actual.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1).trim()));
        }
        assertEquals(expected, actual);
        assertEquals(80, Layouts.MODEL_PARAMS.byteSize());
        assertEquals(160, Layouts.CONTEXT_PARAMS.byteSize());
        assertEquals(56, Layouts.BATCH.byteSize());
        assertEquals(28, Layouts.OPT_OPTIMIZER_PARAMS.byteSize());
        assertEquals(48, Layouts.OPT_PARAMS.byteSize());
    }

    @Test
    void ggmlTypeTableAgreesWithGgml() {
        for (GgmlType t : GgmlType.values()) {
            assertEquals(t.blockSize(), GgmlConvert.blockSize(t), "block size of " + t);
            assertEquals(t.typeSize(), GgmlConvert.typeSize(t), "type size of " + t);
        }
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }
}
