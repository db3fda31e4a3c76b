package io.gptlens.web.api;

/** The {@code system_fingerprint} every completion answer carries: which server and version made it. */
final class Fingerprint {

    static final String VALUE = "gptlens-0.1.0";

    private Fingerprint() {
    }
}
