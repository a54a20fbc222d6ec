# shellcheck shell=bash
# Puts a Node.js >= 22 first on PATH, for every script of the project.
#
# The current openai, @google/genai, OpenTelemetry SDK, NestJS and mongoose releases need Node 22+.
# A machine whose `node` is older gets Node from the npm registry's `node-linux-<arch>` package (the
# official binary, no install script), unpacked once into a cache outside the repository. npm itself
# then runs on that Node too, so it resolves dependency versions for Node 24 rather than for the old one.
# A machine that already has Node 22+ keeps its own.

TOKENLEDGER_NODE_VERSION="${TOKENLEDGER_NODE_VERSION:-24.21.0}"
TOKENLEDGER_NODE_MIN_MAJOR=22

tl_node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

tl_provision_node() {
  local arch
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "tokenledger: no Node.js build for $(uname -m); install Node.js 22 or newer yourself" >&2; return 1 ;;
  esac
  local cache="${TOKENLEDGER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenledger}"
  local dir="$cache/node-v$TOKENLEDGER_NODE_VERSION-linux-$arch"
  if [ ! -x "$dir/bin/node" ]; then
    command -v npm >/dev/null 2>&1 || { echo "tokenledger: npm is needed to fetch Node.js $TOKENLEDGER_NODE_VERSION" >&2; return 1; }
    echo "tokenledger: Node.js $(node --version 2>/dev/null || echo 'is missing'), fetching $TOKENLEDGER_NODE_VERSION from the npm registry into $dir" >&2
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-$arch@$TOKENLEDGER_NODE_VERSION" >/dev/null) &&
      tar xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$tmp" &&
      mkdir -p "$cache" && rm -rf "$dir" && mv "$tmp/package" "$dir" || {
      rm -rf "$tmp"
      echo "tokenledger: could not fetch node-linux-$arch@$TOKENLEDGER_NODE_VERSION" >&2
      return 1
    }
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
}

if [ "$(tl_node_major)" -lt "$TOKENLEDGER_NODE_MIN_MAJOR" ]; then
  tl_provision_node || return 1 2>/dev/null || exit 1
fi
