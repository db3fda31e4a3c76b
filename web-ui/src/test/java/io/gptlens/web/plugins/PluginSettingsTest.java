package io.gptlens.web.plugins;

import io.gptlens.core.plugin.ParamSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configured sampler defaults: checked against the specs, kept in a file, read back by the next server. */
class PluginSettingsTest {

    @TempDir
    Path dir;

    private static final List<ParamSpec> SPECS = List.of(ParamSpec.ofFloat("a", 0, 1, 0.2, "strength"),
            ParamSpec.ofInt("k", 0, 100, 40, "tokens"), ParamSpec.ofBool("on", true, "switch"));

    @Test
    void valuesAreCheckedKeptAndReadBackByTheNextInstance() throws Exception {
        Path file = dir.resolve("plugins/settings.properties");
        PluginSettings s = new PluginSettings(() -> file);
        assertEquals(Map.of(), s.of("llama.top-a"));
        s.set("llama.top-a", PluginSettings.check("llama.top-a", SPECS, Map.of("a", "0.5", "k", 7)));
        assertEquals(Map.of("a", 0.5, "k", 7L), s.of("llama.top-a"), "only the given keys, coerced to their types");
        String text = Files.readString(file);
        assertTrue(text.contains("llama.top-a.a=0.5") && text.contains("llama.top-a.k=7"), text);

        PluginSettings next = new PluginSettings(() -> file);
        Map<String, Object> read = next.of("llama.top-a");
        assertEquals(Map.of("a", 0.5, "k", 7L), PluginSettings.check("llama.top-a", SPECS, read), "the file reads back to the same values");

        next.set("llama.top-a", Map.of());
        assertEquals(Map.of(), new PluginSettings(() -> file).of("llama.top-a"));
    }

    @Test
    void badValuesAreRefusedWithTheParameterNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> PluginSettings.check("top-a", SPECS, Map.of("a", 2.0)));
        assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("outside"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PluginSettings.check("top-a", SPECS, Map.of("b", 1)));
        assertTrue(e.getMessage().contains("Unknown parameter 'b'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PluginSettings.check("top-a", SPECS, Map.of("on", "maybe")));
        assertTrue(e.getMessage().contains("true or false"), e.getMessage());
    }

    @Test
    void aBrokenFileIsIgnoredNotFatal() throws Exception {
        Path file = dir.resolve("settings.properties");
        Files.writeString(file, "top-a.a=\\uZZZZ\n");
        PluginSettings s = new PluginSettings(() -> file);
        assertEquals(Map.of(), s.of("top-a"));
        s.set("top-a", Map.of("a", 0.3));
        assertEquals(Map.of("a", 0.3), new PluginSettings(() -> file).of("top-a").entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, x -> Double.parseDouble((String) x.getValue()))));
    }
}
