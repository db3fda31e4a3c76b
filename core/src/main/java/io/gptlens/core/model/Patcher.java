package io.gptlens.core.model;

import java.util.List;

/**
 * One prompt run again and again with different activation patches, for a sweep such as a causal
 * trace. A backend may keep what the runs share: the key/value cache of the positions before the
 * earliest patch is the same in every run that patches nothing there. Not thread-safe.
 */
public interface Patcher extends AutoCloseable {

    /**
     * The logits after the prompt's last token with {@code patches} written into the residual stream
     * (as {@link Model#patchedLogits}).
     *
     * @throws IllegalArgumentException for a patch out of range
     */
    float[] logits(List<Patch> patches);

    /** Frees what the runs kept. */
    @Override
    void close();
}
