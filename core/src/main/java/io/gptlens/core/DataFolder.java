package io.gptlens.core;

import java.nio.file.Path;

/**
 * GPTLens's data folder, the one home of everything it keeps between runs (models downloaded,
 * indexes, training runs, plugins, the preflight's verdicts): {@code -Dgptlens.data}, else the
 * environment's {@code GPTLENS_DATA}, else {@code ~/.gptlens}.
 */
public final class DataFolder {

    private DataFolder() {
    }

    /** The folder (it may not exist yet). */
    public static Path path() {
        String p = System.getProperty("gptlens.data");
        if (p == null || p.isBlank()) {
            p = System.getenv("GPTLENS_DATA");
        }
        return p == null || p.isBlank() ? Path.of(System.getProperty("user.home"), ".gptlens") : Path.of(p);
    }

    /** {@code name} inside the folder, e.g. {@code "models"}. */
    public static Path resolve(String name) {
        return path().resolve(name);
    }
}
