# shellcheck shell=bash
# Builds the Go programs the operations stack and its tests run natively (no Docker engine needed):
# Prometheus 3 + promtool, Jaeger v2, and an OpenTelemetry Collector from test/stack/otelcol-builder.yaml.
# Everything comes from the Go module proxy at pinned releases and is cached outside the repository, in
# ${TOKENLEDGER_CACHE:-~/.cache/tokenledger}; a warm call returns at once, a cold one takes minutes.
# Source it, then call the tl_* functions; each prints the path of the binary it ensured.

TL_PROMETHEUS_VERSION=v0.316.0   # Prometheus 3.x; its Go module is versioned v0.3xx
TL_JAEGER_VERSION=v1.76.0        # the Jaeger v2 line (the module path carries no /v2)
TL_OTELCOL_BUILDER_VERSION=v0.160.0

TL_CACHE="${TOKENLEDGER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenledger}"
TL_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

tl_go() {
  if ! command -v go >/dev/null 2>&1; then export PATH="/usr/local/go/bin:$PATH"; fi
  command -v go >/dev/null 2>&1 || { echo "go-tools: Go is needed to build the stack's programs (https://go.dev/dl)" >&2; return 1; }
  go "$@"
}

# Prometheus' service discovery pulls cloud SDKs, one of which the module proxy lacks; the
# remove_all_sd build tag leaves them out (the stack only uses static targets).
tl_prometheus_tool() { # prometheus | promtool
  local dir="$TL_CACHE/bin/prometheus-$TL_PROMETHEUS_VERSION"
  if [ ! -x "$dir/$1" ]; then
    echo "go-tools: building $1 $TL_PROMETHEUS_VERSION (cold builds take minutes)" >&2
    mkdir -p "$dir" && GOBIN="$dir" tl_go install -tags remove_all_sd "github.com/prometheus/prometheus/cmd/$1@$TL_PROMETHEUS_VERSION" >&2 || return 1
  fi
  echo "$dir/$1"
}

# Jaeger's module has replace directives, so `go install pkg@version` refuses it; a scratch module
# that requires it as a tool resolves the same versions.
tl_jaeger() {
  local bin="$TL_CACHE/bin/jaeger-$TL_JAEGER_VERSION"
  if [ ! -x "$bin" ]; then
    echo "go-tools: building jaeger $TL_JAEGER_VERSION (cold builds take several minutes)" >&2
    local mod="$TL_CACHE/build/jaeger-$TL_JAEGER_VERSION"
    mkdir -p "$mod" "$(dirname "$bin")"
    (
      cd "$mod" &&
        { [ -f go.mod ] || tl_go mod init tokenledger.local/jaeger-build >/dev/null 2>&1; } &&
        tl_go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$TL_JAEGER_VERSION" >&2 &&
        tl_go build -o "$bin" github.com/jaegertracing/jaeger/cmd/jaeger >&2
    ) || return 1
  fi
  echo "$bin"
}

tl_otelcol() {
  local out="$TL_CACHE/build/otelcol-$TL_OTELCOL_BUILDER_VERSION"
  local manifest="$TL_REPO_ROOT/test/stack/otelcol-builder.yaml"
  local stamp
  stamp="$(sha256sum "$manifest" | cut -c1-16)"
  if [ ! -x "$out/$stamp/dist/otelcol-tokenledger" ]; then
    local builder_dir="$TL_CACHE/bin/builder-$TL_OTELCOL_BUILDER_VERSION"
    if [ ! -x "$builder_dir/builder" ]; then
      GOBIN="$builder_dir" tl_go install "go.opentelemetry.io/collector/cmd/builder@$TL_OTELCOL_BUILDER_VERSION" >&2 || return 1
    fi
    echo "go-tools: building the OpenTelemetry Collector from $manifest" >&2
    mkdir -p "$out/$stamp"
    (export PATH="/usr/local/go/bin:$PATH"; cd "$out/$stamp" && "$builder_dir/builder" --config "$manifest" >&2) || return 1
  fi
  echo "$out/$stamp/dist/otelcol-tokenledger"
}

# Alertmanager and amtool come from Debian's package.
tl_amtool() {
  if ! command -v amtool >/dev/null 2>&1; then
    echo "go-tools: installing Debian's prometheus-alertmanager for amtool" >&2
    bash "$TL_REPO_ROOT/scripts/apt-install.sh" prometheus-alertmanager >&2 || return 1
  fi
  command -v amtool
}

# Debian's docker-compose validates compose files without a Docker engine.
tl_docker_compose() {
  if ! command -v docker-compose >/dev/null 2>&1; then
    echo "go-tools: installing Debian's docker-compose to validate docker-compose.yml" >&2
    bash "$TL_REPO_ROOT/scripts/apt-install.sh" docker-compose >&2 || return 1
  fi
  command -v docker-compose
}

# Alertmanager itself, from the same Debian package as amtool.
tl_alertmanager() {
  tl_amtool >/dev/null || return 1
  command -v prometheus-alertmanager
}
