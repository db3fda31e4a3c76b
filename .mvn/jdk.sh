# Sourced by ./mvnw and ./gptlens: find_jdk prints a JDK 25+ home, or nothing.
# $JAVA_HOME wins if it is a JDK 25 or newer; else the first JDK 25+ under /usr/lib/jvm.
java_major() {
  local release="$1/release"
  [[ -x "$1/bin/javac" && -f "$release" ]] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

find_jdk() {
  if [[ -n "${JAVA_HOME:-}" ]] && (( $(java_major "$JAVA_HOME" || echo 0) >= 25 )); then
    echo "$JAVA_HOME"; return
  fi
  local candidate major
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    major="$(java_major "$candidate")"
    if [[ -n "$major" ]] && (( major >= 25 )); then echo "$candidate"; return; fi
  done
}

no_jdk_message() {
  cat >&2 <<MSG
No JDK 25 found. Looked at JAVA_HOME=${JAVA_HOME:-<unset>} and /usr/lib/jvm/*.
GPTLens needs JDK 25 or newer (the FFM and Vector APIs). Install one, e.g. Eclipse Temurin 25
(Debian/Ubuntu: the temurin-25-jdk package from Adoptium's apt repository), then either put it
under /usr/lib/jvm or set JAVA_HOME to it.
MSG
}
