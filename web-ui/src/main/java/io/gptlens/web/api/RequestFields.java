package io.gptlens.web.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.gptlens.core.sampling.StageSpec;
import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.web.chat.ChatMessage;
import io.gptlens.web.completion.PromptInput;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON fields the completion APIs share, read into the completion service's types: each
 * malformed field is a 400 that names it and says what it takes.
 */
final class RequestFields {

    private RequestFields() {
    }

    /** One stage of a custom chain ({@code samplers}: {@code {"name", "params"}}). */
    record SamplerSpec(String name, Map<String, Object> params) {
    }

    /** {@code {"direction": id, "strength": x, "layers": [first, last]}}: one steering, as the completions take it. */
    record SteeringSpec(String direction, Double strength, List<Integer> layers) {
    }

    /** The steerings asked for (null: none). */
    static List<io.gptlens.web.steering.SteeringService.Applied> steering(List<SteeringSpec> specs) {
        if (specs == null) {
            return null;
        }
        return specs.stream().map(s -> {
            if (s == null || s.direction() == null || s.strength() == null) {
                throw new ApiException(400, "Each steering is {\"direction\": id, \"strength\": x} (and optionally \"layers\": [first, last])");
            }
            if (s.layers() != null && (s.layers().size() != 2 || s.layers().contains(null))) {
                throw new ApiException(400, "A steering's 'layers' is [first, last], got " + s.layers());
            }
            return new io.gptlens.web.steering.SteeringService.Applied(s.direction(), s.strength(),
                    s.layers() == null ? null : s.layers().get(0), s.layers() == null ? null : s.layers().get(1));
        }).toList();
    }

    /** A prompt: a string, a list of one string, or a list of token ids. */
    static PromptInput prompt(JsonNode p) {
        if (p == null || p.isNull()) {
            return new PromptInput.Text("");
        }
        if (p.isTextual()) {
            return new PromptInput.Text(p.asText());
        }
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            return new PromptInput.Text(p.get(0).asText());
        }
        if (p.isArray() && p.size() == 1 && p.get(0).isArray()) {
            return prompt(p.get(0)); // [[1, 2, 3]]: a batch of one prompt as ids
        }
        if (p.isArray() && !p.isEmpty()) {
            int[] ids = new int[p.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode e = p.get(i);
                if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                    throw new ApiException(400, "'prompt' must be a string or a list of token ids (integers); element " + i + " is " + e);
                }
                ids[i] = e.asInt();
            }
            return new PromptInput.Tokens(ids);
        }
        throw new ApiException(400, "'prompt' must be a string or a list of token ids; only one prompt per request is supported");
    }

    /** Stop strings: a string or a list of strings. */
    static List<String> stop(JsonNode s) {
        if (s == null || s.isNull()) {
            return List.of();
        }
        if (s.isTextual()) {
            return List.of(s.asText());
        }
        if (!s.isArray()) {
            throw new ApiException(400, "'stop' must be a string or a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : s) {
            if (!e.isTextual()) {
                throw new ApiException(400, "'stop' must be a string or a list of strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    /**
     * A logit bias: OpenAI's {@code {"id": bias}}, or llama-server's {@code [[id, bias], ...]};
     * a key or first element that is text stands for each of its tokens ({@code tokenizer} cuts
     * it); a bias of {@code false} bans the token.
     */
    static Map<Integer, Double> logitBias(JsonNode b, Tokenizer tokenizer) {
        Map<Integer, Double> out = new LinkedHashMap<>();
        if (b == null || b.isNull()) {
            return out;
        }
        if (b.isObject()) {
            for (var it = b.properties().iterator(); it.hasNext(); ) {
                var e = it.next();
                put(out, e.getKey(), e.getValue(), tokenizer);
            }
        } else if (b.isArray()) {
            for (JsonNode pair : b) {
                if (!pair.isArray() || pair.size() != 2) {
                    throw new ApiException(400, "'logit_bias' as a list takes [token, bias] pairs, got " + pair);
                }
                put(out, pair.get(0).isTextual() ? pair.get(0).asText() : pair.get(0).toString(), pair.get(1), tokenizer,
                        pair.get(0).isTextual());
            }
        } else {
            throw new ApiException(400, "'logit_bias' must be an object {\"token id\": bias} or a list of [token, bias] pairs");
        }
        return out;
    }

    private static void put(Map<Integer, Double> out, String key, JsonNode bias, Tokenizer t) {
        put(out, key, bias, t, !key.strip().matches("-?\\d+"));
    }

    private static void put(Map<Integer, Double> out, String key, JsonNode bias, Tokenizer t, boolean text) {
        double v;
        if (bias.isBoolean() && !bias.asBoolean()) {
            v = Double.NEGATIVE_INFINITY;
        } else if (bias.isNumber()) {
            v = bias.asDouble();
        } else {
            throw new ApiException(400, "A logit bias must be a number (or false to ban the token), got " + bias + " for " + key);
        }
        if (text) {
            for (int id : t.encode(key, false, false)) {
                out.put(id, v);
            }
            return;
        }
        int id;
        try {
            id = Integer.parseInt(key.strip());
        } catch (NumberFormatException e) {
            throw new ApiException(400, "A logit bias key must be a token id, got '" + key + "'");
        }
        if (id < 0 || id >= t.vocabularySize()) {
            throw new ApiException(400, "logit_bias names token " + id + ", outside the vocabulary [0, " + t.vocabularySize() + ")");
        }
        out.put(id, v);
    }

    /** GPTLens's {@code samplers}: stages by name with parameters. */
    static List<StageSpec> samplers(List<SamplerSpec> specs) {
        if (specs == null) {
            return null;
        }
        List<StageSpec> out = new ArrayList<>();
        for (SamplerSpec s : specs) {
            if (s == null || s.name() == null) {
                throw new ApiException(400, "Each entry of 'samplers' needs a 'name', e.g. {\"name\": \"top-k\", \"params\": {\"k\": 40}}");
            }
            out.add(new StageSpec(s.name(), s.params()));
        }
        return out;
    }

    /**
     * Chat messages: {@code role} and {@code content}, a string, null or a list of
     * {@code {"type": "text", "text": ...}} parts (joined with a newline, as llama-server does).
     */
    static List<ChatMessage> messages(JsonNode m) {
        if (m == null || m.isNull() || !m.isArray()) {
            throw new ApiException(400, "'messages' must be a list of {\"role\", \"content\"}, e.g. [{\"role\": \"user\", \"content\": \"Hi\"}]");
        }
        List<ChatMessage> out = new ArrayList<>();
        int i = 0;
        for (JsonNode e : m) {
            if (!e.isObject() || !e.path("role").isTextual()) {
                throw new ApiException(400, "messages[" + i + "] needs a 'role' (system, user or assistant) as a string");
            }
            JsonNode c = e.get("content");
            String text;
            if (c == null || c.isNull()) {
                if (!e.path("role").asText().equals("assistant")) {
                    throw new ApiException(400, "messages[" + i + "] needs 'content'");
                }
                text = "";
            } else if (c.isTextual()) {
                text = c.asText();
            } else if (c.isArray()) {
                List<String> parts = new ArrayList<>();
                for (JsonNode part : c) {
                    if (!part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
                        throw new ApiException(400, "messages[" + i + "].content: only parts {\"type\": \"text\", \"text\": ...} are supported, got "
                                + part.path("type"));
                    }
                    parts.add(part.get("text").asText());
                }
                text = String.join("\n", parts);
            } else {
                throw new ApiException(400, "messages[" + i + "].content must be a string or a list of text parts, got " + c.getNodeType());
            }
            out.add(new ChatMessage(e.get("role").asText(), text));
            i++;
        }
        return out;
    }

    /** {@code response_format}: null or {@code text} for free text, {@code json_object} for one JSON object. */
    static boolean jsonObject(JsonNode f) {
        if (f == null || f.isNull()) {
            return false;
        }
        String type = f.path("type").asText("");
        return switch (type) {
            case "text" -> false;
            case "json_object" -> {
                JsonNode schema = f.get("schema");
                if (schema != null && !schema.isNull() && !(schema.isObject() && (schema.isEmpty()
                        || (schema.size() == 1 && "object".equals(schema.path("type").asText()))))) {
                    throw new ApiException(400, "response_format: a JSON schema beyond {\"type\": \"object\"} is not supported; give a 'grammar' (GBNF) instead");
                }
                yield true;
            }
            default -> throw new ApiException(400, "response_format type must be \"text\" or \"json_object\", got " + f.path("type"));
        };
    }

    /** A token given as an id or as the text of exactly one token. */
    static int token(Tokenizer t, JsonNode given, String field) {
        if (given.isInt()) {
            return given.asInt();
        }
        if (given.isTextual()) {
            return t.tokenOf(given.asText()).orElseThrow(() -> new ApiException(400, "'" + field + "' \"" + given.asText() + "\" is "
                    + t.encode(given.asText(), false, true).length + " tokens and no single token's text: give one token, or its id"));
        }
        throw new ApiException(400, "'" + field + "' is a token id or the text of one token");
    }
}
