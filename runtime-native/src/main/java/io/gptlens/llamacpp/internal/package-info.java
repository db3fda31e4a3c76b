/**
 * Internal: hand-written struct layouts ({@link io.gptlens.llamacpp.internal.Layouts}), downcall handles
 * ({@link io.gptlens.llamacpp.internal.Llama}), library loading and the log bridge. Not for use outside
 * runtime-native.
 */
package io.gptlens.llamacpp.internal;
