#!/usr/bin/env python3
"""Writes a Qwen2.5-0.5B-shaped GGUF with random F16 weights (151,936 x 896, 24 layers, 14/2 heads)
and the vocabulary of llama.cpp's ggml-vocab-qwen2.gguf, for benchmarks and the soak test.

usage: PYTHONPATH=<llama.cpp source>/gguf-py write-qwen-shaped.py VOCAB.gguf OUT.gguf [LAYERS]
"""
import sys
import numpy as np
import gguf

vocab_path, out_path = sys.argv[1], sys.argv[2]
layers = int(sys.argv[3]) if len(sys.argv) > 3 else 24
embd, ff, heads, kv_heads = 896, 4864, 14, 2
head_dim = embd // heads
n_vocab_rows = 151936  # Qwen2.5's embedding rows (its tokenizer has fewer tokens; the rest are padding)

src = gguf.GGUFReader(vocab_path)
tokens = [bytes(src.fields["tokenizer.ggml.tokens"].parts[i]).decode("utf-8", "replace")
          for i in src.fields["tokenizer.ggml.tokens"].data]
types = [int(src.fields["tokenizer.ggml.token_type"].parts[i][0]) for i in src.fields["tokenizer.ggml.token_type"].data]
merges = [bytes(src.fields["tokenizer.ggml.merges"].parts[i]).decode("utf-8", "replace")
          for i in src.fields["tokenizer.ggml.merges"].data]
pad = n_vocab_rows - len(tokens)
tokens += ["[PAD%d]" % i for i in range(pad)]
types += [gguf.TokenType.UNUSED] * pad

w = gguf.GGUFWriter(out_path, "qwen2")
w.add_name("qwen2.5-0.5b-shaped (random weights)")
w.add_context_length(32768)
w.add_embedding_length(embd)
w.add_block_count(layers)
w.add_feed_forward_length(ff)
w.add_head_count(heads)
w.add_head_count_kv(kv_heads)
w.add_rope_freq_base(1000000.0)
w.add_layer_norm_rms_eps(1e-6)
w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
w.add_tokenizer_model("gpt2")
w.add_tokenizer_pre("qwen2")
w.add_token_list(tokens)
w.add_token_types(types)
w.add_token_merges(merges)
w.add_eos_token_id(151643)
w.add_bos_token_id(151643)
w.add_add_bos_token(False)

rng = np.random.default_rng(5)
def rand(*shape, scale=0.02):
    return (rng.standard_normal(shape, dtype=np.float32) * scale).astype(np.float16)
def ones(n):
    return np.ones(n, dtype=np.float32)

w.add_tensor("token_embd.weight", rand(n_vocab_rows, embd))
w.add_tensor("output_norm.weight", ones(embd))
for l in range(layers):
    b = "blk.%d." % l
    w.add_tensor(b + "attn_norm.weight", ones(embd))
    w.add_tensor(b + "attn_q.weight", rand(embd, embd))
    w.add_tensor(b + "attn_q.bias", np.zeros(embd, dtype=np.float32))
    w.add_tensor(b + "attn_k.weight", rand(kv_heads * head_dim, embd))
    w.add_tensor(b + "attn_k.bias", np.zeros(kv_heads * head_dim, dtype=np.float32))
    w.add_tensor(b + "attn_v.weight", rand(kv_heads * head_dim, embd))
    w.add_tensor(b + "attn_v.bias", np.zeros(kv_heads * head_dim, dtype=np.float32))
    w.add_tensor(b + "attn_output.weight", rand(embd, embd))
    w.add_tensor(b + "ffn_norm.weight", ones(embd))
    w.add_tensor(b + "ffn_gate.weight", rand(ff, embd))
    w.add_tensor(b + "ffn_up.weight", rand(ff, embd))
    w.add_tensor(b + "ffn_down.weight", rand(embd, ff))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
print("wrote", out_path)
