package io.gptlens.web.security;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** A server with an API key and two extra host names (on the loopback address, with the test admin token). */
public class WithApiKey implements QuarkusTestProfile {

    static final String KEY = "test-api-key";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("gptlens.api-key", KEY, "gptlens.allowed-hosts", "gptlens.example, Other.Example:9999");
    }
}
