#!/usr/bin/env python3
"""Writes a GGUF with the shape of a real model and random F16 weights, for benchmarks: the vocabulary
comes from one of llama.cpp's vocabulary files (padded with unused tokens to the model's row count).

usage: PYTHONPATH=<llama.cpp source>/gguf-py write-shaped.py SHAPE VOCAB.gguf OUT.gguf [LAYERS]

SHAPE  rows x d, layers, heads/kv-heads, feed-forward, vocabulary file to use
  qwen2.5-0.5b   151,936 x 896,  24 layers, 14/2,  4,864  (ggml-vocab-qwen2.gguf; tied W_U, q/k/v biases)
  llama-3.2-1b   128,256 x 2048, 16 layers, 32/8,  8,192  (ggml-vocab-llama-bpe.gguf; tied W_U)
  llama-3.1-8b   128,256 x 4096, 32 layers, 32/8, 14,336  (ggml-vocab-llama-bpe.gguf; own W_U)

Tensors are written one at a time (an 8B model's 16 GB never sit in memory); their values are
slices of one pool of random numbers (the benchmark measures speed, not what the weights say).
Quantize the result with llama.cpp (e.g. GPTLens's LlamaQuantizer, Q4_K_M) for the usual sizes.
"""
import sys
import numpy as np
import gguf

SHAPES = {
    "qwen2.5-0.5b": dict(arch="qwen2", rows=151936, embd=896, layers=24, heads=14, kv=2, ff=4864, tied=True, bias=True,
                         rope=1000000.0, eps=1e-6, ctx=32768, eos=151643, bos=151643, add_bos=False, pre="qwen2"),
    "llama-3.2-1b": dict(arch="llama", rows=128256, embd=2048, layers=16, heads=32, kv=8, ff=8192, tied=True, bias=False,
                         rope=500000.0, eps=1e-5, ctx=131072, eos=128001, bos=128000, add_bos=True, pre="llama-bpe"),
    "llama-3.1-8b": dict(arch="llama", rows=128256, embd=4096, layers=32, heads=32, kv=8, ff=14336, tied=False, bias=False,
                         rope=500000.0, eps=1e-5, ctx=131072, eos=128001, bos=128000, add_bos=True, pre="llama-bpe"),
}

shape_name, vocab_path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
if shape_name not in SHAPES:
    sys.exit("unknown shape %r; known: %s" % (shape_name, ", ".join(SHAPES)))
s = SHAPES[shape_name]
layers = int(sys.argv[4]) if len(sys.argv) > 4 else s["layers"]
embd, ff, heads, kv = s["embd"], s["ff"], s["heads"], s["kv"]
head_dim = embd // heads

src = gguf.GGUFReader(vocab_path)
tokens = [bytes(src.fields["tokenizer.ggml.tokens"].parts[i]).decode("utf-8", "replace")
          for i in src.fields["tokenizer.ggml.tokens"].data]
types = [int(src.fields["tokenizer.ggml.token_type"].parts[i][0]) for i in src.fields["tokenizer.ggml.token_type"].data]
merges = [bytes(src.fields["tokenizer.ggml.merges"].parts[i]).decode("utf-8", "replace")
          for i in src.fields["tokenizer.ggml.merges"].data]
pad = s["rows"] - len(tokens)
if pad < 0:
    sys.exit("%s has %d tokens, more than the shape's %d rows" % (vocab_path, len(tokens), s["rows"]))
tokens += ["[PAD%d]" % i for i in range(pad)]
types += [gguf.TokenType.UNUSED] * pad

arch = s["arch"]
w = gguf.GGUFWriter(out_path, arch)
w.add_name("%s-shaped (random weights)" % shape_name)
w.add_context_length(s["ctx"])
w.add_embedding_length(embd)
w.add_block_count(layers)
w.add_feed_forward_length(ff)
w.add_head_count(heads)
w.add_head_count_kv(kv)
w.add_rope_freq_base(s["rope"])
w.add_layer_norm_rms_eps(s["eps"])
if arch == "llama":
    w.add_rope_dimension_count(head_dim)
w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
w.add_tokenizer_model("gpt2")
w.add_tokenizer_pre(s["pre"])
w.add_token_list(tokens)
w.add_token_types(types)
w.add_token_merges(merges)
w.add_eos_token_id(s["eos"])
w.add_bos_token_id(s["bos"])
w.add_add_bos_token(s["add_bos"])

# (name, shape as numpy sees it, dtype): 2-D weights are F16, norms and biases F32
plan = [("token_embd.weight", (s["rows"], embd), np.float16), ("output_norm.weight", (embd,), np.float32)]
if not s["tied"]:
    plan.append(("output.weight", (s["rows"], embd), np.float16))
for l in range(layers):
    b = "blk.%d." % l
    plan += [(b + "attn_norm.weight", (embd,), np.float32), (b + "attn_q.weight", (embd, embd), np.float16)]
    if s["bias"]:
        plan.append((b + "attn_q.bias", (embd,), np.float32))
    plan.append((b + "attn_k.weight", (kv * head_dim, embd), np.float16))
    if s["bias"]:
        plan.append((b + "attn_k.bias", (kv * head_dim,), np.float32))
    plan.append((b + "attn_v.weight", (kv * head_dim, embd), np.float16))
    if s["bias"]:
        plan.append((b + "attn_v.bias", (kv * head_dim,), np.float32))
    plan += [(b + "attn_output.weight", (embd, embd), np.float16), (b + "ffn_norm.weight", (embd,), np.float32),
             (b + "ffn_gate.weight", (ff, embd), np.float16), (b + "ffn_up.weight", (ff, embd), np.float16),
             (b + "ffn_down.weight", (embd, ff), np.float16)]

for name, shp, dt in plan:
    w.add_tensor_info(name, shp, np.dtype(dt), int(np.prod(shp)) * np.dtype(dt).itemsize)

rng = np.random.default_rng(5)
POOL = 1 << 24
pool = (rng.standard_normal(POOL + 65536, dtype=np.float32) * 0.02).astype(np.float16)
offset = 0

def values(shp, dt, name):
    global offset
    if dt == np.float32:  # norms are ones, biases zeros
        return np.ones(shp, dtype=np.float32) if name.endswith("norm.weight") else np.zeros(shp, dtype=np.float32)
    n = int(np.prod(shp))
    out = np.empty(n, dtype=np.float16)
    done = 0
    while done < n:
        start = (offset * 7919) % 65536  # a different phase each slice, so rows do not repeat exactly
        take = min(n - done, POOL)
        out[done:done + take] = pool[start:start + take]
        done += take
        offset += 1
    return out.reshape(shp)

w.write_header_to_file()
w.write_kv_data_to_file()
w.write_ti_data_to_file()
for name, shp, dt in plan:
    w.write_tensor_data(values(shp, dt, name))
w.close()
print("wrote", out_path)
