#!/usr/bin/env bash
# What ./gptlens --build-llama gains: llama.cpp's llama-bench run on the bundled (generic, CPU
# variants chosen at run time) libraries and on the libraries build-llama.sh compiled for this CPU,
# interleaved (A B A B ...) on the same model files and threads, printing tg and pp and the ratio.
#
#   native-gain.sh NATIVE_DIR BUNDLED_DIR MODEL.gguf [MODEL.gguf ...]
#
# NATIVE_DIR is what build-llama.sh wrote (it holds bin/llama-bench); BUNDLED_DIR holds the bundled
# libraries (runtime-native/target/classes/native/linux-x64). ROUNDS (3), THREADS (2), TG (64) and
# PP (512) come from the environment.
set -euo pipefail
native="$(cd "${1:?NATIVE_DIR}" && pwd)"; bundled="$(cd "${2:?BUNDLED_DIR}" && pwd)"; shift 2
rounds="${ROUNDS:-3}" threads="${THREADS:-2}" tg="${TG:-64}" pp="${PP:-512}"
[[ -x "$native/bin/llama-bench" ]] || { echo "no $native/bin/llama-bench: run build-llama.sh first" >&2; exit 1; }
run="$(mktemp -d)"; trap 'rm -rf "$run"' EXIT
# the same llama-bench on the bundled libraries: linked under the names it asks for, CPU variants beside it
cp "$native/bin/llama-bench" "$native/libllama-bench-impl.so" "$native/libllama-common.so.0" "$run/"
for f in "$bundled"/lib*.so; do ln -s "$f" "$run/"; done
ln -s "$bundled"/libllama.v*.so "$run/libllama.so.0"; ln -s "$bundled"/libggml.v*.so "$run/libggml.so.0"; ln -s "$bundled/libggml-base.so" "$run/libggml-base.so.0"
bench() { # DIR LIBS MODEL P N -> tokens/s
  (cd "$1" && LD_LIBRARY_PATH="$2" ./llama-bench -m "$3" -t "$threads" -p "$4" -n "$5" -r 1 -fa 0 --poll 0 -o jsonl 2>/dev/null) \
    | grep -o '"avg_ts": [0-9.]*' | head -1 | cut -d' ' -f2
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for model in "$@"; do
  echo "== $(basename "$model"), $threads threads, $rounds rounds (bundled, native, ...)"
  : > "$run/tg"; : > "$run/pp"
  for ((r = 1; r <= rounds; r++)); do
    bt="$(bench "$run" "$run" "$model" 0 "$tg")"; nt="$(bench "$native/bin" "$native" "$model" 0 "$tg")"
    bp="$(bench "$run" "$run" "$model" "$pp" 0)"; np="$(bench "$native/bin" "$native" "$model" "$pp" 0)"
    printf 'round %d: tg%d bundled %.2f native %.2f | pp%d bundled %.1f native %.1f\n' "$r" "$tg" "$bt" "$nt" "$pp" "$bp" "$np"
    echo "$nt / $bt" | bc -l >> "$run/tg"; echo "$np / $bp" | bc -l >> "$run/pp"
  done
  printf 'native / bundled (median of rounds): tg %.3f×, pp %.3f×\n' "$(median < "$run/tg")" "$(median < "$run/pp")"
done
