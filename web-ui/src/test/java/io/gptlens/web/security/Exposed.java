package io.gptlens.web.security;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * A server listening on every interface ({@code 0.0.0.0}, reached by the tests on localhost) with
 * no API key, one extra models folder, and its log in a file the test reads.
 */
public class Exposed implements QuarkusTestProfile {

    static final String FOLDER = "target/exposed-models";
    /** A log file of this test run's own (a file left by an earlier run proves nothing). */
    static final String LOG = "target/exposed-server-" + ProcessHandle.current().pid() + ".log";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.http.host", "0.0.0.0", "gptlens.models-folders", FOLDER,
                "quarkus.log.file.enabled", "true", "quarkus.log.file.path", LOG);
    }
}
