package io.gptlens.web.training;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A fresh machine's start: no model given, so the built-in GPT is pre-trained (with the tiny preset, for speed). */
public class WithBuiltinGpt implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("gptlens.models", "", "gptlens.builtin-gpt", "true", "gptlens.builtin-gpt-preset", "tiny");
    }
}
