package io.gptlens.web.explorer;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A test profile with the built-in all-MiniLM-L6-v2 loaded (converted into the test data folder at first start). */
public class WithMiniLm implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("gptlens.builtin-model", "true");
    }
}
