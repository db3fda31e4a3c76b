#!/usr/bin/env bash
# Compiles llama.cpp for this CPU from the same source as the bundled libraries (the git bundle in
# npm node-llama-cpp@VERSION, fetched once into the cache), as shared libraries, plus llama-bench.
#
#   build-llama.sh DEST [VERSION]
#
# DEST gets libggml-base.so, libggml.so, libggml-cpu.so (GGML_NATIVE: -march=native), libllama.so
# and bin/llama-bench; point GPTLENS_LLAMA_PATH (or ./gptlens --llama) at DEST to use them.
# ./gptlens --build-llama runs this into <data>/llama.cpp-native. Needs cmake and a C++17 compiler
# (Debian: apt-get install cmake g++); takes 5-10 minutes on two cores. The source tree and the
# build tree stay in ${GPTLENS_CACHE:-~/.cache/gptlens}/llama-src-VERSION, so a second run only
# relinks. DEST gets a .stamp naming the source and the CPU flags, and is left alone when it matches.
set -euo pipefail

dest="${1:?usage: build-llama.sh DEST [VERSION]}"
version="${2:-3.22.1}"
cache="${GPTLENS_CACHE:-$HOME/.cache/gptlens}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { echo "build-llama: $*" >&2; exit 1; }

for tool in cmake g++ git; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is needed (Debian: apt-get install cmake g++ git)"
done
flags="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | md5sum | cut -c1-12)"
stamp="node-llama-cpp@$version native cpu-flags:$flags"
if [[ -f "$dest/.stamp" && "$(cat "$dest/.stamp")" == "$stamp" && -x "$dest/bin/llama-bench" ]]; then
  echo "build-llama: $dest is current ($stamp)" >&2
  exit 0
fi

src="$cache/llama-src-$version"
if [[ ! -f "$src/CMakeLists.txt" ]]; then
  # the same tarball fetch-llama.sh caches; fetch it through that script so npm is called in one place
  headers="$(mktemp -d)"
  "$here/fetch-llama.sh" source "$headers/h" "$version" >/dev/null
  rm -rf "$headers"
  tgz="$cache/npm/node-llama-cpp-$version.tgz"
  [[ -s "$tgz" ]] || die "$tgz is missing"
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  tar xzf "$tgz" -C "$tmp" package/llama/gitRelease.bundle
  rm -rf "$src.part"
  git clone -q "$tmp/package/llama/gitRelease.bundle" "$src.part" 2>/dev/null || die "unpacking llama.cpp's source bundle failed"
  mv "$src.part" "$src"
fi

jobs="$(nproc 2>/dev/null || echo 2)"
echo "build-llama: configuring $src for this CPU (-march=native)" >&2
cmake -S "$src" -B "$src/build-native" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
  -DGGML_NATIVE=ON -DGGML_OPENMP=OFF \
  -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
  -DLLAMA_BUILD_TOOLS=ON >"$src/build-native.log" 2>&1 || die "cmake configure failed; see $src/build-native.log"
echo "build-llama: compiling llama, ggml, ggml-cpu and llama-bench with $jobs jobs (5-10 minutes on two cores)" >&2
cmake --build "$src/build-native" -j "$jobs" --target llama ggml ggml-cpu llama-bench >>"$src/build-native.log" 2>&1 \
  || die "compiling failed; see $src/build-native.log"

out="$src/build-native/bin"
rm -rf "$dest.part"; mkdir -p "$dest.part/bin"
# the libraries under the names their users ask for (SONAMEs and plain names), links resolved
for lib in "$out"/lib*.so*; do
  cp -L "$lib" "$dest.part/$(basename "$lib")"
done
cp "$out/llama-bench" "$dest.part/bin/"
(cd "$dest.part" && ls lib*.so* > files.txt)
echo "$stamp" > "$dest.part/.stamp"
rm -rf "$dest"; mv "$dest.part" "$dest"
echo "build-llama: $(wc -l < "$dest/files.txt") libraries and bin/llama-bench in $dest" >&2
