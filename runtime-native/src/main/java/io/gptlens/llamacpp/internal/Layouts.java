package io.gptlens.llamacpp.internal;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;


import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Hand-written C struct layouts of llama.cpp v0.5.0 (npm {@code node-llama-cpp@3.22.1}), field by
 * field as in {@code include/llama.h}. {@code LayoutsTest} compiles a C program against the same
 * header and checks every size and offset, so an upgrade that moves a field fails a test instead
 * of corrupting memory.
 */
public final class Layouts {

    private Layouts() {
    }

    /** {@code struct llama_model_params} (80 bytes). */
    public static final StructLayout MODEL_PARAMS = structLayout(
            ADDRESS.withName("devices"),
            ADDRESS.withName("tensor_buft_overrides"),
            JAVA_INT.withName("n_gpu_layers"),
            JAVA_INT.withName("split_mode"),
            JAVA_INT.withName("load_mode"),
            JAVA_INT.withName("lazy_mode"),
            JAVA_INT.withName("main_gpu"),
            paddingLayout(4),
            ADDRESS.withName("tensor_split"),
            ADDRESS.withName("progress_callback"),
            ADDRESS.withName("progress_callback_user_data"),
            ADDRESS.withName("kv_overrides"),
            JAVA_BOOLEAN.withName("vocab_only"),
            JAVA_BOOLEAN.withName("check_tensors"),
            JAVA_BOOLEAN.withName("use_extra_bufts"),
            JAVA_BOOLEAN.withName("no_host"),
            JAVA_BOOLEAN.withName("no_alloc"),
            JAVA_BOOLEAN.withName("load_mtp"),
            paddingLayout(2)
    ).withName("llama_model_params");

    /** {@code struct llama_context_params} (160 bytes). */
    public static final StructLayout CONTEXT_PARAMS = structLayout(
            JAVA_INT.withName("n_ctx"),
            JAVA_INT.withName("n_batch"),
            JAVA_INT.withName("n_ubatch"),
            JAVA_INT.withName("n_seq_max"),
            JAVA_INT.withName("n_rs_seq"),
            JAVA_INT.withName("n_outputs_max"),
            JAVA_INT.withName("n_outputs_max_per_seq"),
            JAVA_INT.withName("n_threads"),
            JAVA_INT.withName("n_threads_batch"),
            JAVA_INT.withName("ctx_type"),
            JAVA_INT.withName("rope_scaling_type"),
            JAVA_INT.withName("pooling_type"),
            JAVA_INT.withName("attention_type"),
            JAVA_INT.withName("flash_attn_type"),
            JAVA_FLOAT.withName("rope_freq_base"),
            JAVA_FLOAT.withName("rope_freq_scale"),
            JAVA_FLOAT.withName("yarn_ext_factor"),
            JAVA_FLOAT.withName("yarn_attn_factor"),
            JAVA_FLOAT.withName("yarn_beta_fast"),
            JAVA_FLOAT.withName("yarn_beta_slow"),
            JAVA_INT.withName("yarn_orig_ctx"),
            JAVA_FLOAT.withName("defrag_thold"),
            ADDRESS.withName("cb_eval"),
            ADDRESS.withName("cb_eval_user_data"),
            JAVA_INT.withName("type_k"),
            JAVA_INT.withName("type_v"),
            ADDRESS.withName("abort_callback"),
            ADDRESS.withName("abort_callback_data"),
            JAVA_BOOLEAN.withName("embeddings"),
            JAVA_BOOLEAN.withName("offload_kqv"),
            JAVA_BOOLEAN.withName("no_perf"),
            JAVA_BOOLEAN.withName("op_offload"),
            JAVA_BOOLEAN.withName("swa_full"),
            JAVA_BOOLEAN.withName("kv_unified"),
            paddingLayout(2),
            ADDRESS.withName("samplers"),
            JAVA_LONG.withName("n_samplers"),
            ADDRESS.withName("ctx_other")
    ).withName("llama_context_params");

    /** {@code struct llama_batch} (56 bytes). */
    public static final StructLayout BATCH = structLayout(
            JAVA_INT.withName("n_tokens"),
            paddingLayout(4),
            ADDRESS.withName("token"),
            ADDRESS.withName("embd"),
            ADDRESS.withName("pos"),
            ADDRESS.withName("n_seq_id"),
            ADDRESS.withName("seq_id"),
            ADDRESS.withName("logits")
    ).withName("llama_batch");

    /** {@code struct llama_token_data} (12 bytes). */
    public static final StructLayout TOKEN_DATA = structLayout(
            JAVA_INT.withName("id"),
            JAVA_FLOAT.withName("logit"),
            JAVA_FLOAT.withName("p")
    ).withName("llama_token_data");

    /** {@code struct llama_token_data_array} (32 bytes). */
    public static final StructLayout TOKEN_DATA_ARRAY = structLayout(
            ADDRESS.withName("data"),
            JAVA_LONG.withName("size"),
            JAVA_LONG.withName("selected"),
            JAVA_BOOLEAN.withName("sorted"),
            paddingLayout(7)
    ).withName("llama_token_data_array");

    /** {@code struct llama_sampler_i} (96 bytes): the hooks of a custom sampler, all function pointers. */
    public static final StructLayout SAMPLER_I = structLayout(
            ADDRESS.withName("name"),
            ADDRESS.withName("accept"),
            ADDRESS.withName("apply"),
            ADDRESS.withName("reset"),
            ADDRESS.withName("clone"),
            ADDRESS.withName("free"),
            ADDRESS.withName("backend_init"),
            ADDRESS.withName("backend_accept"),
            ADDRESS.withName("backend_apply"),
            ADDRESS.withName("backend_set_input"),
            ADDRESS.withName("backend_reset"),
            ADDRESS.withName("copy_state")
    ).withName("llama_sampler_i");

    /** {@code struct llama_sampler} (16 bytes): the hooks and the sampler's own context pointer. */
    public static final StructLayout SAMPLER = structLayout(
            ADDRESS.withName("iface"),
            ADDRESS.withName("ctx")
    ).withName("llama_sampler");

    /** {@code struct llama_sampler_chain_params} (1 byte). */
    public static final StructLayout SAMPLER_CHAIN_PARAMS = structLayout(
            JAVA_BOOLEAN.withName("no_perf")
    ).withName("llama_sampler_chain_params");

    /** {@code struct llama_model_quantize_params} (64 bytes). */
    public static final StructLayout QUANTIZE_PARAMS = structLayout(
            JAVA_INT.withName("nthread"),
            JAVA_INT.withName("ftype"),
            JAVA_INT.withName("output_tensor_type"),
            JAVA_INT.withName("token_embedding_type"),
            JAVA_BOOLEAN.withName("allow_requantize"),
            JAVA_BOOLEAN.withName("quantize_output_tensor"),
            JAVA_BOOLEAN.withName("only_copy"),
            JAVA_BOOLEAN.withName("pure"),
            JAVA_BOOLEAN.withName("keep_split"),
            JAVA_BOOLEAN.withName("dry_run"),
            paddingLayout(2),
            ADDRESS.withName("imatrix"),
            ADDRESS.withName("kv_overrides"),
            ADDRESS.withName("tt_overrides"),
            ADDRESS.withName("prune_layers"),
            JAVA_LONG.withName("max_buf_size")
    ).withName("llama_model_quantize_params");

    /** {@code struct ggml_type_traits} (56 bytes), from {@code ggml.h}. */
    public static final StructLayout GGML_TYPE_TRAITS = structLayout(
            ADDRESS.withName("type_name"),
            JAVA_LONG.withName("blck_size"),
            JAVA_LONG.withName("blck_size_interleave"),
            JAVA_LONG.withName("type_size"),
            JAVA_BOOLEAN.withName("is_quantized"),
            paddingLayout(7),
            ADDRESS.withName("to_float"),
            ADDRESS.withName("from_float_ref")
    ).withName("ggml_type_traits");

    /** The head of {@code struct ggml_tensor} up to {@code src} (from {@code ggml.h}). */
    public static final StructLayout GGML_TENSOR_HEAD = structLayout(
            JAVA_INT.withName("type"),
            paddingLayout(4),
            ADDRESS.withName("buffer"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("ne"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("nb"),
            JAVA_INT.withName("op"),
            MemoryLayout.sequenceLayout(16, JAVA_INT).withName("op_params"),
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(10, ADDRESS).withName("src")
    ).withName("ggml_tensor");

    /** {@code struct ggml_opt_optimizer_params} (28 bytes), from {@code ggml-opt.h}: AdamW's and SGD's settings. */
    public static final StructLayout OPT_OPTIMIZER_PARAMS = structLayout(
            structLayout(
                    JAVA_FLOAT.withName("alpha"),
                    JAVA_FLOAT.withName("beta1"),
                    JAVA_FLOAT.withName("beta2"),
                    JAVA_FLOAT.withName("eps"),
                    JAVA_FLOAT.withName("wd")
            ).withName("adamw"),
            structLayout(
                    JAVA_FLOAT.withName("alpha"),
                    JAVA_FLOAT.withName("wd")
            ).withName("sgd")
    ).withName("ggml_opt_optimizer_params");

    /** {@code struct llama_opt_params} (48 bytes): what {@code llama_opt_init} needs. */
    public static final StructLayout OPT_PARAMS = structLayout(
            JAVA_INT.withName("n_ctx_train"),
            paddingLayout(4),
            ADDRESS.withName("param_filter"),
            ADDRESS.withName("param_filter_ud"),
            ADDRESS.withName("get_opt_pars"),
            ADDRESS.withName("get_opt_pars_ud"),
            JAVA_INT.withName("optimizer_type"),
            paddingLayout(4)
    ).withName("llama_opt_params");

    /** Bytes reserved for {@code struct ggml_threadpool_params} (528 in this version; filled by {@code ggml_threadpool_params_init}). */
    public static final long THREADPOOL_PARAMS_SIZE = 528;

    /** Offset of {@code uint32_t poll} in {@code struct ggml_threadpool_params} (after {@code bool cpumask[512]}, {@code n_threads}, {@code prio}). */
    public static final long THREADPOOL_POLL_OFFSET = 520;

    /** Byte offset of a named field. */
    public static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /** A value layout's var handle for a named field, with the base offset coordinate fixed at 0. */
    public static java.lang.invoke.VarHandle field(StructLayout layout, String field) {
        var h = layout.varHandle(MemoryLayout.PathElement.groupElement(field));
        return java.lang.invoke.MethodHandles.insertCoordinates(h, 1, 0L);
    }

}
