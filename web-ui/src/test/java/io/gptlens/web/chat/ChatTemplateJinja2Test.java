package io.gptlens.web.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every chat template in llama.cpp's collection ({@code models/templates/}), rendered by
 * {@link ChatTemplate} for the conversations in {@code chat-templates/jinja2-expected.json},
 * against what Jinja2 (the reference implementation, configured as Hugging Face configures it)
 * rendered for the same inputs ({@code src/test/python/render_chat_templates.py} wrote the file).
 * A template Jinja2 refuses must be refused too. The templates that do not match yet are listed
 * in {@link #KNOWN_DIFFERENT} with the reason; the test fails when one of them starts matching
 * (so the list stays true) or when any other stops matching.
 */
class ChatTemplateJinja2Test {

    /** Templates whose rendering differs from Jinja2's, and why. */
    static final Map<String, String> KNOWN_DIFFERENT = Map.of(
            "ByteDance-Seed-OSS.jinja", "compares a boolean with a number (line 46); jinjava refuses to coerce the boolean",
            "Kimi-K2-Thinking.jinja", "arithmetic inside a slice (messages[:ns.i+1]); jinjava's parser rejects it",
            "tencent-Hy3.jinja", "builds its special tokens with Python's str.format ('<|hy_eos{}|>'.format(x)), which jinjava lacks");

    @Test
    void everyTemplateRendersAsJinja2RendersIt() throws Exception {
        JsonNode expected = new ObjectMapper().readTree(ChatTemplateJinja2Test.class.getResourceAsStream("/chat-templates/jinja2-expected.json"));
        Path dir = Path.of(System.getProperty("gptlens.llama.source"), "models", "templates");
        List<Path> templates;
        try (Stream<Path> s = Files.list(dir)) {
            templates = s.filter(p -> p.toString().endsWith(".jinja")).sorted().toList();
        }
        assertTrue(templates.size() >= 60, "llama.cpp's collection has about 70 templates, found " + templates.size() + " in " + dir);
        String[] date = expected.get("date").asText().split("-");
        Clock clock = Clock.fixed(java.time.LocalDate.of(Integer.parseInt(date[0]), Integer.parseInt(date[1]), Integer.parseInt(date[2]))
                .atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
        String bos = expected.get("bos_token").asText();
        String eos = expected.get("eos_token").asText();
        ObjectMapper json = new ObjectMapper();
        int equal = 0;
        int total = 0;
        Map<String, String> different = new TreeMap<>();
        for (Path file : templates) {
            String name = file.getFileName().toString();
            JsonNode want = expected.get(name);
            if (want == null) {
                different.put(name, "no Jinja2 rendering in the expected file");
                continue;
            }
            ChatTemplate t = ChatTemplate.of(Files.readString(file), clock);
            List<String> problems = new ArrayList<>();
            for (var it = expected.get("conversations").properties().iterator(); it.hasNext(); ) {
                var c = it.next();
                total++;
                List<Map<String, Object>> messages = json.convertValue(c.getValue().get("messages"), List.class);
                boolean addGenerationPrompt = c.getValue().get("add_generation_prompt").asBoolean();
                JsonNode w = want.get(c.getKey());
                String got;
                try {
                    got = t.render(messages, addGenerationPrompt, bos, eos);
                } catch (ChatTemplateException e) {
                    if (w.isObject() && w.has("error")) {
                        equal++; // both refuse
                    } else {
                        problems.add(c.getKey() + ": refused (" + e.getMessage() + ")");
                    }
                    continue;
                }
                if (w.isTextual() && w.asText().equals(got)) {
                    equal++;
                } else {
                    problems.add(c.getKey() + ": " + (w.isTextual() ? "differs at " + firstDifference(w.asText(), got) : "Jinja2 refused: " + w.get("error")));
                }
            }
            if (!problems.isEmpty()) {
                different.put(name, String.join("; ", problems));
            }
        }
        System.out.printf("chat templates: %d of %d renderings equal Jinja2's, over %d templates (%d differ)%n", equal, total, templates.size(),
                different.size());
        different.forEach((k, v) -> System.out.println("  " + k + ": " + v));
        assertEquals(KNOWN_DIFFERENT.keySet(), different.keySet(), "templates that differ from Jinja2: " + different);
    }

    private static String firstDifference(String want, String got) {
        int i = 0;
        while (i < want.length() && i < got.length() && want.charAt(i) == got.charAt(i)) {
            i++;
        }
        return i + ": Jinja2 " + snippet(want, i) + ", here " + snippet(got, i);
    }

    private static String snippet(String s, int i) {
        return "'" + s.substring(Math.max(0, i - 10), Math.min(s.length(), i + 30)).replace("\n", "\\n") + "'";
    }
}
