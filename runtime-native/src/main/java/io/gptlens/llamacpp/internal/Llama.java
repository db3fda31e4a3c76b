package io.gptlens.llamacpp.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcall handles for the functions of {@code llama.h} and {@code ggml.h} that GPTLens uses, each
 * resolved once. Thin static wrappers give them Java types; ownership rules are those of the C API
 * and are enforced by the public wrappers in {@code io.gptlens.llamacpp}.
 *
 * <p>Loading this class loads the native libraries ({@link NativeLibrary#get()}).
 */
public final class Llama {

    private static final Linker LINKER = Linker.nativeLinker();

    private Llama() {
    }

    private static MethodHandle h(String name, MemoryLayout ret, MemoryLayout... args) {
        var fd = ret == null ? FunctionDescriptor.ofVoid(args) : FunctionDescriptor.of(ret, args);
        MemorySegment sym = NativeLibrary.get().lookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("llama.cpp symbol " + name + " not found in " + NativeLibrary.get().directory()
                        + " (GPTLens is bound to llama.cpp v0.5.0 from node-llama-cpp 3.22.1)"));
        return LINKER.downcallHandle(sym, fd);
    }

    // ---- params and lifecycle
    public static final MethodHandle MODEL_DEFAULT_PARAMS = h("llama_model_default_params", Layouts.MODEL_PARAMS);
    public static final MethodHandle CONTEXT_DEFAULT_PARAMS = h("llama_context_default_params", Layouts.CONTEXT_PARAMS);
    public static final MethodHandle QUANTIZE_DEFAULT_PARAMS = h("llama_model_quantize_default_params", Layouts.QUANTIZE_PARAMS);
    public static final MethodHandle MODEL_LOAD = h("llama_model_load_from_file", ADDRESS, ADDRESS, Layouts.MODEL_PARAMS);
    public static final MethodHandle MODEL_FREE = h("llama_model_free", null, ADDRESS);
    public static final MethodHandle INIT_FROM_MODEL = h("llama_init_from_model", ADDRESS, ADDRESS, Layouts.CONTEXT_PARAMS);
    public static final MethodHandle FREE = h("llama_free", null, ADDRESS);
    public static final MethodHandle QUANTIZE = h("llama_model_quantize", JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    public static final MethodHandle PRINT_SYSTEM_INFO = h("llama_print_system_info", ADDRESS);

    // ---- model facts
    public static final MethodHandle MODEL_GET_VOCAB = h("llama_model_get_vocab", ADDRESS, ADDRESS);
    public static final MethodHandle MODEL_N_CTX_TRAIN = h("llama_model_n_ctx_train", JAVA_INT, ADDRESS);
    public static final MethodHandle MODEL_N_EMBD = h("llama_model_n_embd", JAVA_INT, ADDRESS);
    public static final MethodHandle MODEL_N_LAYER = h("llama_model_n_layer", JAVA_INT, ADDRESS);
    public static final MethodHandle MODEL_N_HEAD = h("llama_model_n_head", JAVA_INT, ADDRESS);
    public static final MethodHandle MODEL_N_HEAD_KV = h("llama_model_n_head_kv", JAVA_INT, ADDRESS);
    public static final MethodHandle MODEL_DESC = h("llama_model_desc", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    public static final MethodHandle MODEL_SIZE = h("llama_model_size", JAVA_LONG, ADDRESS);
    public static final MethodHandle MODEL_N_PARAMS = h("llama_model_n_params", JAVA_LONG, ADDRESS);
    public static final MethodHandle MODEL_HAS_ENCODER = h("llama_model_has_encoder", JAVA_BOOLEAN, ADDRESS);
    public static final MethodHandle MODEL_HAS_DECODER = h("llama_model_has_decoder", JAVA_BOOLEAN, ADDRESS);

    // ---- vocabulary
    public static final MethodHandle VOCAB_N_TOKENS = h("llama_vocab_n_tokens", JAVA_INT, ADDRESS);
    public static final MethodHandle VOCAB_TYPE = h("llama_vocab_type", JAVA_INT, ADDRESS);
    public static final MethodHandle VOCAB_GET_ATTR = h("llama_vocab_get_attr", JAVA_INT, ADDRESS, JAVA_INT);
    public static final MethodHandle VOCAB_IS_EOG = h("llama_vocab_is_eog", JAVA_BOOLEAN, ADDRESS, JAVA_INT);
    public static final MethodHandle VOCAB_BOS = h("llama_vocab_bos", JAVA_INT, ADDRESS);
    public static final MethodHandle VOCAB_EOS = h("llama_vocab_eos", JAVA_INT, ADDRESS);
    public static final MethodHandle VOCAB_EOT = h("llama_vocab_eot", JAVA_INT, ADDRESS);
    public static final MethodHandle VOCAB_SEP = h("llama_vocab_sep", JAVA_INT, ADDRESS);
    public static final MethodHandle VOCAB_NL = h("llama_vocab_nl", JAVA_INT, ADDRESS);
    public static final MethodHandle VOCAB_PAD = h("llama_vocab_pad", JAVA_INT, ADDRESS);
    public static final MethodHandle TOKENIZE = h("llama_tokenize", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN);
    public static final MethodHandle TOKEN_TO_PIECE = h("llama_token_to_piece", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN);
    public static final MethodHandle DETOKENIZE = h("llama_detokenize", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN);

    // ---- context
    public static final MethodHandle N_CTX = h("llama_n_ctx", JAVA_INT, ADDRESS);
    public static final MethodHandle N_BATCH = h("llama_n_batch", JAVA_INT, ADDRESS);
    public static final MethodHandle N_SEQ_MAX = h("llama_n_seq_max", JAVA_INT, ADDRESS);
    public static final MethodHandle DECODE = h("llama_decode", JAVA_INT, ADDRESS, Layouts.BATCH);
    public static final MethodHandle ENCODE = h("llama_encode", JAVA_INT, ADDRESS, Layouts.BATCH);
    public static final MethodHandle GET_LOGITS_ITH = h("llama_get_logits_ith", ADDRESS, ADDRESS, JAVA_INT);
    public static final MethodHandle GET_EMBEDDINGS_ITH = h("llama_get_embeddings_ith", ADDRESS, ADDRESS, JAVA_INT);
    public static final MethodHandle GET_EMBEDDINGS_SEQ = h("llama_get_embeddings_seq", ADDRESS, ADDRESS, JAVA_INT);
    public static final MethodHandle SET_ABORT_CALLBACK = h("llama_set_abort_callback", null, ADDRESS, ADDRESS, ADDRESS);
    public static final MethodHandle ATTACH_THREADPOOL = h("llama_attach_threadpool", null, ADDRESS, ADDRESS, ADDRESS);
    public static final MethodHandle DETACH_THREADPOOL = h("llama_detach_threadpool", null, ADDRESS);
    public static final MethodHandle GET_MEMORY = h("llama_get_memory", ADDRESS, ADDRESS);
    public static final MethodHandle MEMORY_CLEAR = h("llama_memory_clear", null, ADDRESS, JAVA_BOOLEAN);
    public static final MethodHandle SET_ADAPTER_CVEC = h("llama_set_adapter_cvec", JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT);
    public static final MethodHandle MEMORY_SEQ_RM = h("llama_memory_seq_rm", JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT);
    public static final MethodHandle MEMORY_SEQ_CP = h("llama_memory_seq_cp", null, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    public static final MethodHandle MEMORY_SEQ_KEEP = h("llama_memory_seq_keep", null, ADDRESS, JAVA_INT);
    public static final MethodHandle MEMORY_SEQ_POS_MAX = h("llama_memory_seq_pos_max", JAVA_INT, ADDRESS, JAVA_INT);

    // ---- samplers
    public static final MethodHandle SAMPLER_APPLY = h("llama_sampler_apply", null, ADDRESS, ADDRESS);
    public static final MethodHandle SAMPLER_ACCEPT = h("llama_sampler_accept", null, ADDRESS, JAVA_INT);
    public static final MethodHandle SAMPLER_RESET = h("llama_sampler_reset", null, ADDRESS);
    public static final MethodHandle SAMPLER_CLONE = h("llama_sampler_clone", ADDRESS, ADDRESS);
    public static final MethodHandle SAMPLER_FREE = h("llama_sampler_free", null, ADDRESS);

    public static final MethodHandle SAMPLER_INIT = h("llama_sampler_init", ADDRESS, ADDRESS, ADDRESS);
    public static final MethodHandle SAMPLER_CHAIN_INIT = h("llama_sampler_chain_init", ADDRESS, Layouts.SAMPLER_CHAIN_PARAMS);
    public static final MethodHandle SAMPLER_CHAIN_ADD = h("llama_sampler_chain_add", null, ADDRESS, ADDRESS);
    public static final MethodHandle SAMPLER_SAMPLE = h("llama_sampler_sample", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    public static final MethodHandle SAMPLER_INIT_GREEDY = h("llama_sampler_init_greedy", ADDRESS);
    public static final MethodHandle SAMPLER_INIT_DIST = h("llama_sampler_init_dist", ADDRESS, JAVA_INT);
    public static final MethodHandle SAMPLER_INIT_TOP_K = h("llama_sampler_init_top_k", ADDRESS, JAVA_INT);
    public static final MethodHandle SAMPLER_INIT_TOP_P = h("llama_sampler_init_top_p", ADDRESS, JAVA_FLOAT, JAVA_LONG);
    public static final MethodHandle SAMPLER_INIT_MIN_P = h("llama_sampler_init_min_p", ADDRESS, JAVA_FLOAT, JAVA_LONG);
    public static final MethodHandle SAMPLER_INIT_TYPICAL = h("llama_sampler_init_typical", ADDRESS, JAVA_FLOAT, JAVA_LONG);
    public static final MethodHandle SAMPLER_INIT_TEMP = h("llama_sampler_init_temp", ADDRESS, JAVA_FLOAT);
    /** {@code llama_sampler_init_grammar(vocab, grammar_str, grammar_root)}: NULL when the grammar does not parse. */
    public static final MethodHandle SAMPLER_INIT_GRAMMAR = h("llama_sampler_init_grammar", ADDRESS, ADDRESS, ADDRESS, ADDRESS);
    public static final MethodHandle SAMPLER_INIT_TEMP_EXT = h("llama_sampler_init_temp_ext", ADDRESS, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT);
    public static final MethodHandle SAMPLER_INIT_XTC = h("llama_sampler_init_xtc", ADDRESS, JAVA_FLOAT, JAVA_FLOAT, JAVA_LONG, JAVA_INT);
    public static final MethodHandle SAMPLER_INIT_TOP_N_SIGMA = h("llama_sampler_init_top_n_sigma", ADDRESS, JAVA_FLOAT);
    public static final MethodHandle SAMPLER_INIT_MIROSTAT_V2 = h("llama_sampler_init_mirostat_v2", ADDRESS, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT);

    // ---- ggml
    public static final MethodHandle GGML_TYPE_SIZE = h("ggml_type_size", JAVA_LONG, JAVA_INT);
    public static final MethodHandle GGML_BLCK_SIZE = h("ggml_blck_size", JAVA_LONG, JAVA_INT);
    public static final MethodHandle GGML_GET_TYPE_TRAITS = h("ggml_get_type_traits", ADDRESS, JAVA_INT);
    public static final MethodHandle GGML_THREADPOOL_PARAMS_INIT = h("ggml_threadpool_params_init", null, ADDRESS, JAVA_INT);
    public static final MethodHandle GGML_BACKEND_DEV_BY_TYPE = h("ggml_backend_dev_by_type", ADDRESS, JAVA_INT);
    public static final MethodHandle GGML_BACKEND_DEV_BACKEND_REG = h("ggml_backend_dev_backend_reg", ADDRESS, ADDRESS);
    public static final MethodHandle GGML_BACKEND_REG_GET_PROC_ADDRESS = h("ggml_backend_reg_get_proc_address", ADDRESS, ADDRESS, ADDRESS);
    public static final MethodHandle GGML_BACKEND_TENSOR_GET = h("ggml_backend_tensor_get", null, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
    public static final MethodHandle GGML_NBYTES = h("ggml_nbytes", JAVA_LONG, ADDRESS);
    public static final MethodHandle GGML_GET_NAME = h("ggml_get_name", ADDRESS, ADDRESS);
    public static final MethodHandle GGML_IS_CONTIGUOUS = h("ggml_is_contiguous", JAVA_BOOLEAN, ADDRESS);

    // ---- training (llama.h "training", ggml-opt.h)
    public static final MethodHandle BATCH_GET_ONE = h("llama_batch_get_one", Layouts.BATCH, ADDRESS, JAVA_INT);
    public static final MethodHandle OPT_INIT = h("llama_opt_init", null, ADDRESS, ADDRESS, Layouts.OPT_PARAMS);
    public static final MethodHandle OPT_EPOCH = h("llama_opt_epoch", null, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS);
    public static final MethodHandle MODEL_SAVE_TO_FILE = h("llama_model_save_to_file", null, ADDRESS, ADDRESS);
    public static final MethodHandle OPT_DATASET_INIT = h("ggml_opt_dataset_init", ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    public static final MethodHandle OPT_DATASET_FREE = h("ggml_opt_dataset_free", null, ADDRESS);
    public static final MethodHandle OPT_DATASET_DATA = h("ggml_opt_dataset_data", ADDRESS, ADDRESS);
    public static final MethodHandle OPT_DATASET_LABELS = h("ggml_opt_dataset_labels", ADDRESS, ADDRESS);
    public static final MethodHandle OPT_RESULT_INIT = h("ggml_opt_result_init", ADDRESS);
    public static final MethodHandle OPT_RESULT_FREE = h("ggml_opt_result_free", null, ADDRESS);
    public static final MethodHandle OPT_RESULT_NDATA = h("ggml_opt_result_ndata", null, ADDRESS, ADDRESS);
    public static final MethodHandle OPT_RESULT_LOSS = h("ggml_opt_result_loss", null, ADDRESS, ADDRESS, ADDRESS);
    public static final MethodHandle OPT_RESULT_ACCURACY = h("ggml_opt_result_accuracy", null, ADDRESS, ADDRESS, ADDRESS);
    public static final MethodHandle OPT_DEFAULT_OPTIMIZER_PARAMS = h("ggml_opt_get_default_optimizer_params", Layouts.OPT_OPTIMIZER_PARAMS, ADDRESS);
    public static final MethodHandle GGML_SET_PARAM = h("ggml_set_param", null, ADDRESS);
    public static final MethodHandle GGML_BACKEND_TENSOR_SET = h("ggml_backend_tensor_set", null, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);

    /** The address of {@code llama_opt_param_filter_all}, the filter that marks every tensor trainable. */
    public static MemorySegment optParamFilterAll() {
        return NativeLibrary.get().lookup().find("llama_opt_param_filter_all")
                .orElseThrow(() -> new UnsatisfiedLinkError("llama.cpp symbol llama_opt_param_filter_all not found"));
    }

    /** Wraps a Throwable from {@code invokeExact} (only errors from the JVM side can occur). */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    // ---- wrappers (argument order and meaning as in llama.h)

    public static MemorySegment modelDefaultParams(SegmentAllocator a) {
        try { return (MemorySegment) MODEL_DEFAULT_PARAMS.invokeExact(a); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment contextDefaultParams(SegmentAllocator a) {
        try { return (MemorySegment) CONTEXT_DEFAULT_PARAMS.invokeExact(a); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment quantizeDefaultParams(SegmentAllocator a) {
        try { return (MemorySegment) QUANTIZE_DEFAULT_PARAMS.invokeExact(a); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment modelLoad(MemorySegment path, MemorySegment params) {
        try { return (MemorySegment) MODEL_LOAD.invokeExact(path, params); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void modelFree(MemorySegment m) {
        try { MODEL_FREE.invokeExact(m); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment initFromModel(MemorySegment m, MemorySegment params) {
        try { return (MemorySegment) INIT_FROM_MODEL.invokeExact(m, params); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void free(MemorySegment ctx) {
        try { FREE.invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int quantize(MemorySegment in, MemorySegment out, MemorySegment params) {
        try { return (int) QUANTIZE.invokeExact(in, out, params); } catch (Throwable t) { throw rethrow(t); }
    }

    public static String systemInfo() {
        try { return NativeLibrary.string((MemorySegment) PRINT_SYSTEM_INFO.invokeExact()); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment modelVocab(MemorySegment m) {
        try { return (MemorySegment) MODEL_GET_VOCAB.invokeExact(m); } catch (Throwable t) { throw rethrow(t); }
    }

    /** Calls an {@code int f(const llama_model *)} or {@code int f(const llama_vocab *)} / context getter. */
    public static int intOf(MethodHandle h, MemorySegment p) {
        try { return (int) h.invokeExact(p); } catch (Throwable t) { throw rethrow(t); }
    }

    public static long longOf(MethodHandle h, MemorySegment p) {
        try { return (long) h.invokeExact(p); } catch (Throwable t) { throw rethrow(t); }
    }

    public static boolean boolOf(MethodHandle h, MemorySegment p) {
        try { return (boolean) h.invokeExact(p); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int modelDesc(MemorySegment m, MemorySegment buf, long size) {
        try { return (int) MODEL_DESC.invokeExact(m, buf, size); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int vocabAttr(MemorySegment v, int token) {
        try { return (int) VOCAB_GET_ATTR.invokeExact(v, token); } catch (Throwable t) { throw rethrow(t); }
    }

    public static boolean vocabIsEog(MemorySegment v, int token) {
        try { return (boolean) VOCAB_IS_EOG.invokeExact(v, token); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int tokenize(MemorySegment v, MemorySegment text, int len, MemorySegment tokens, int max, boolean addSpecial, boolean parseSpecial) {
        try { return (int) TOKENIZE.invokeExact(v, text, len, tokens, max, addSpecial, parseSpecial); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int tokenToPiece(MemorySegment v, int token, MemorySegment buf, int len, int lstrip, boolean special) {
        try { return (int) TOKEN_TO_PIECE.invokeExact(v, token, buf, len, lstrip, special); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int detokenize(MemorySegment v, MemorySegment tokens, int n, MemorySegment text, int max, boolean removeSpecial, boolean unparseSpecial) {
        try { return (int) DETOKENIZE.invokeExact(v, tokens, n, text, max, removeSpecial, unparseSpecial); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int decode(MemorySegment ctx, MemorySegment batch) {
        try { return (int) DECODE.invokeExact(ctx, batch); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int encode(MemorySegment ctx, MemorySegment batch) {
        try { return (int) ENCODE.invokeExact(ctx, batch); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment logitsIth(MemorySegment ctx, int i) {
        try { return (MemorySegment) GET_LOGITS_ITH.invokeExact(ctx, i); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment embeddingsIth(MemorySegment ctx, int i) {
        try { return (MemorySegment) GET_EMBEDDINGS_ITH.invokeExact(ctx, i); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment embeddingsSeq(MemorySegment ctx, int seq) {
        try { return (MemorySegment) GET_EMBEDDINGS_SEQ.invokeExact(ctx, seq); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void setAbortCallback(MemorySegment ctx, MemorySegment cb, MemorySegment data) {
        try { SET_ABORT_CALLBACK.invokeExact(ctx, cb, data); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void attachThreadpool(MemorySegment ctx, MemorySegment tp, MemorySegment tpBatch) {
        try { ATTACH_THREADPOOL.invokeExact(ctx, tp, tpBatch); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void detachThreadpool(MemorySegment ctx) {
        try { DETACH_THREADPOOL.invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment memory(MemorySegment ctx) {
        try { return (MemorySegment) GET_MEMORY.invokeExact(ctx); } catch (Throwable t) { throw rethrow(t); }
    }

    /** {@code llama_set_adapter_cvec}: {@code data} holds {@code len} floats, n_embd per layer from layer 1; NULL clears. */
    public static int setAdapterCvec(MemorySegment ctx, MemorySegment data, long len, int nEmbd, int first, int last) {
        try { return (int) SET_ADAPTER_CVEC.invokeExact(ctx, data, len, nEmbd, first, last); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void memoryClear(MemorySegment mem, boolean data) {
        try { MEMORY_CLEAR.invokeExact(mem, data); } catch (Throwable t) { throw rethrow(t); }
    }

    public static boolean memorySeqRm(MemorySegment mem, int seq, int p0, int p1) {
        try { return (boolean) MEMORY_SEQ_RM.invokeExact(mem, seq, p0, p1); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void memorySeqCp(MemorySegment mem, int src, int dst, int p0, int p1) {
        try { MEMORY_SEQ_CP.invokeExact(mem, src, dst, p0, p1); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void memorySeqKeep(MemorySegment mem, int seq) {
        try { MEMORY_SEQ_KEEP.invokeExact(mem, seq); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int memorySeqPosMax(MemorySegment mem, int seq) {
        try { return (int) MEMORY_SEQ_POS_MAX.invokeExact(mem, seq); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void samplerApply(MemorySegment s, MemorySegment cur) {
        try { SAMPLER_APPLY.invokeExact(s, cur); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void samplerAccept(MemorySegment s, int token) {
        try { SAMPLER_ACCEPT.invokeExact(s, token); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void samplerReset(MemorySegment s) {
        try { SAMPLER_RESET.invokeExact(s); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment samplerInitGrammar(MemorySegment vocab, MemorySegment grammar, MemorySegment root) {
        try { return (MemorySegment) SAMPLER_INIT_GRAMMAR.invokeExact(vocab, grammar, root); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment samplerClone(MemorySegment s) {
        try { return (MemorySegment) SAMPLER_CLONE.invokeExact(s); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void samplerFree(MemorySegment s) {
        try { SAMPLER_FREE.invokeExact(s); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment samplerInit(MemorySegment iface, MemorySegment ctx) {
        try { return (MemorySegment) SAMPLER_INIT.invokeExact(iface, ctx); } catch (Throwable t) { throw rethrow(t); }
    }

    /** A new, empty {@code llama_sampler_chain} with performance timing off. */
    public static MemorySegment samplerChainInit() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(Layouts.SAMPLER_CHAIN_PARAMS);
            params.set(JAVA_BOOLEAN, 0, true);
            return (MemorySegment) SAMPLER_CHAIN_INIT.invokeExact(params);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void samplerChainAdd(MemorySegment chain, MemorySegment s) {
        try { SAMPLER_CHAIN_ADD.invokeExact(chain, s); } catch (Throwable t) { throw rethrow(t); }
    }

    public static int samplerSample(MemorySegment s, MemorySegment ctx, int idx) {
        try { return (int) SAMPLER_SAMPLE.invokeExact(s, ctx, idx); } catch (Throwable t) { throw rethrow(t); }
    }

    public static long ggmlTypeSize(int type) {
        try { return (long) GGML_TYPE_SIZE.invokeExact(type); } catch (Throwable t) { throw rethrow(t); }
    }

    public static long ggmlBlockSize(int type) {
        try { return (long) GGML_BLCK_SIZE.invokeExact(type); } catch (Throwable t) { throw rethrow(t); }
    }

    public static MemorySegment ggmlTypeTraits(int type) {
        try { return (MemorySegment) GGML_GET_TYPE_TRAITS.invokeExact(type); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void threadpoolParamsInit(MemorySegment p, int nThreads) {
        try { GGML_THREADPOOL_PARAMS_INIT.invokeExact(p, nThreads); } catch (Throwable t) { throw rethrow(t); }
    }

    /** A function of the CPU backend found through {@code ggml_backend_reg_get_proc_address}, or NULL. */
    public static MemorySegment cpuProc(MemorySegment name) {
        try {
            MemorySegment dev = (MemorySegment) GGML_BACKEND_DEV_BY_TYPE.invokeExact(0); // GGML_BACKEND_DEVICE_TYPE_CPU
            if (dev.equals(MemorySegment.NULL)) {
                return MemorySegment.NULL;
            }
            MemorySegment reg = (MemorySegment) GGML_BACKEND_DEV_BACKEND_REG.invokeExact(dev);
            return (MemorySegment) GGML_BACKEND_REG_GET_PROC_ADDRESS.invokeExact(reg, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void tensorGet(MemorySegment tensor, MemorySegment dst, long offset, long size) {
        try { GGML_BACKEND_TENSOR_GET.invokeExact(tensor, dst, offset, size); } catch (Throwable t) { throw rethrow(t); }
    }

    public static long nbytes(MemorySegment tensor) {
        try { return (long) GGML_NBYTES.invokeExact(tensor); } catch (Throwable t) { throw rethrow(t); }
    }

    public static String tensorName(MemorySegment tensor) {
        try { return NativeLibrary.string((MemorySegment) GGML_GET_NAME.invokeExact(tensor)); } catch (Throwable t) { throw rethrow(t); }
    }

    public static boolean isContiguous(MemorySegment tensor) {
        try { return (boolean) GGML_IS_CONTIGUOUS.invokeExact(tensor); } catch (Throwable t) { throw rethrow(t); }
    }

    /** {@code llama_batch_get_one}: a batch view of {@code n} tokens at {@code tokens} (nothing to free). */
    public static MemorySegment batchGetOne(SegmentAllocator a, MemorySegment tokens, int n) {
        try { return (MemorySegment) BATCH_GET_ONE.invokeExact(a, tokens, n); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void optInit(MemorySegment ctx, MemorySegment model, MemorySegment params) {
        try { OPT_INIT.invokeExact(ctx, model, params); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void optEpoch(MemorySegment ctx, MemorySegment dataset, MemorySegment resultTrain, MemorySegment resultEval, long split,
                                MemorySegment callbackTrain, MemorySegment callbackEval) {
        try { OPT_EPOCH.invokeExact(ctx, dataset, resultTrain, resultEval, split, callbackTrain, callbackEval); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void modelSaveToFile(MemorySegment model, MemorySegment path) {
        try { MODEL_SAVE_TO_FILE.invokeExact(model, path); } catch (Throwable t) { throw rethrow(t); }
    }

    /** {@code ggml_opt_dataset_init} with I32 data and labels (GGML_TYPE_I32 = 26). */
    public static MemorySegment optDatasetInit(long neDatapoint, long neLabel, long ndata, long ndataShard) {
        try { return (MemorySegment) OPT_DATASET_INIT.invokeExact(26, 26, neDatapoint, neLabel, ndata, ndataShard); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void optDatasetFree(MemorySegment dataset) {
        try { OPT_DATASET_FREE.invokeExact(dataset); } catch (Throwable t) { throw rethrow(t); }
    }

    /** The dataset's data tensor ({@code labels == false}) or labels tensor. */
    public static MemorySegment optDatasetTensor(MemorySegment dataset, boolean labels) {
        try {
            return labels ? (MemorySegment) OPT_DATASET_LABELS.invokeExact(dataset) : (MemorySegment) OPT_DATASET_DATA.invokeExact(dataset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment optResultInit() {
        try { return (MemorySegment) OPT_RESULT_INIT.invokeExact(); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void optResultFree(MemorySegment result) {
        try { OPT_RESULT_FREE.invokeExact(result); } catch (Throwable t) { throw rethrow(t); }
    }

    /** Number of datapoints a result has counted. */
    public static long optResultNdata(MemorySegment result) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_LONG);
            OPT_RESULT_NDATA.invokeExact(result, n);
            return n.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A result's mean loss ({@code accuracy == false}) or accuracy, as {@code {value, uncertainty}}. */
    public static double[] optResultValue(MemorySegment result, boolean accuracy) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_DOUBLE, 2);
            if (accuracy) {
                OPT_RESULT_ACCURACY.invokeExact(result, v, v.asSlice(8));
            } else {
                OPT_RESULT_LOSS.invokeExact(result, v, v.asSlice(8));
            }
            return new double[] {v.get(JAVA_DOUBLE, 0), v.get(JAVA_DOUBLE, 8)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static MemorySegment optDefaultOptimizerParams(SegmentAllocator a) {
        try { return (MemorySegment) OPT_DEFAULT_OPTIMIZER_PARAMS.invokeExact(a, MemorySegment.NULL); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void setParam(MemorySegment tensor) {
        try { GGML_SET_PARAM.invokeExact(tensor); } catch (Throwable t) { throw rethrow(t); }
    }

    public static void tensorSet(MemorySegment tensor, MemorySegment src, long offset, long size) {
        try { GGML_BACKEND_TENSOR_SET.invokeExact(tensor, src, offset, size); } catch (Throwable t) { throw rethrow(t); }
    }

    /** A downcall handle for a function pointer obtained at run time. */
    public static MethodHandle bind(MemorySegment fn, FunctionDescriptor fd) {
        return LINKER.downcallHandle(fn, fd);
    }

    /** Linker for upcalls. */
    public static Linker linker() {
        return LINKER;
    }

}
