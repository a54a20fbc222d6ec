#!/usr/bin/env bash
# Builds scripts/ferretdb (FerretDB v1 on SQLite) into the cache outside the repository, once.
# Prints the binary's path. A cold build downloads FerretDB's module and takes a few minutes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(awk '/github.com\/FerretDB\/FerretDB /{print $NF}' "$here/go.mod")"
cache="${TOKENLEDGER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenledger}"
# The binary is named after the module version and this directory's main.go, so a changed main rebuilds.
bin="$cache/bin/ferretdb-$version-$(sha256sum "$here/main.go" | cut -c1-12)"
if [ ! -x "$bin" ]; then
  command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
  command -v go >/dev/null 2>&1 || { echo "ferretdb/build.sh: Go is needed to build FerretDB" >&2; exit 1; }
  echo "ferretdb/build.sh: building FerretDB $version (cold builds take minutes)" >&2
  mkdir -p "$cache/bin"
  (cd "$here" && go build -o "$bin.tmp" .) >&2
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
