package io.gptlens.web.api;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** The test server with the built-in ChatML template for models without their own, as llama-server falls back to it. */
public class ChatmlProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("gptlens.chat-template", "chatml");
    }
}
