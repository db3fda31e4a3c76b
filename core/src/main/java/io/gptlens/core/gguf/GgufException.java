package io.gptlens.core.gguf;

import java.io.IOException;

/**
 * A GGUF file is malformed, lies about itself or exceeds a limit. The message names the file, the
 * field, the bad value and the limit.
 */
public final class GgufException extends IOException {
    private static final long serialVersionUID = 1L;

    public GgufException(String message) {
        super(message);
    }
}
