#!/usr/bin/env bash
# The native operations stack: FerretDB, two collector service replicas on it (mongo store), Jaeger v2,
# Prometheus 3 (OTLP receiver on), Alertmanager and the OpenTelemetry Collector (traces spread over the
# replicas by its load_balancing exporter), as processes on 127.0.0.1 reading the configuration files
# that ship (otel-collector.yaml, dashboards/...), addresses set by variables.
#
#   scripts/stack/stack.sh start           build or reuse the programs, start everything, print the URLs
#   scripts/stack/stack.sh build           only build the programs (or find them in the cache)
#   scripts/stack/stack.sh stop            stop everything and delete the stack's data
#   scripts/stack/stack.sh restart <name>  stop (if it runs) and start one replica again: collector-service
#                                          or collector-service-2 (its log goes on in logs/<name>.log)
#   scripts/stack/stack.sh ports           print the base ports (before the offset) of the P_* lines below
#
# TOKENLEDGER_STACK_DIR          state: pids, logs, data, stack.env (default $TMPDIR/tokenledger-stack)
# TOKENLEDGER_STACK_PORT_OFFSET  added to every port (default 0: the docker-compose ports)
# TOKENLEDGER_STACK_EXTRA_RULES  more Prometheus rule files (space-separated), next to the shipped ones
# TOKENLEDGER_STACK_INTERVAL     Prometheus scrape and rule evaluation interval (default: the shipped 15s)
# TOKENLEDGER_OTLP_TOKEN         when set, the Collector's OTLP receivers take only requests carrying it
#                                as a Bearer token (dashboards/otel-collector/otlp-auth.yaml)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=go-tools.sh
. "$ROOT/scripts/stack/go-tools.sh"

STATE="${TOKENLEDGER_STACK_DIR:-${TMPDIR:-/tmp}/tokenledger-stack}"
OFFSET="${TOKENLEDGER_STACK_PORT_OFFSET:-0}"
port() { echo $(($1 + OFFSET)); }
P_MONGO=$(port 27017)
P_COLLECTOR=$(port 8080)
P_COLLECTOR_GRPC=$(port 4417)
P_COLLECTOR_2=$(port 8081)
P_COLLECTOR_2_GRPC=$(port 4418)
P_OTLP_GRPC=$(port 4317)
P_OTLP_HTTP=$(port 4318)
P_OTELCOL_TELEMETRY=$(port 8888)
P_JAEGER_UI=$(port 16686)
P_JAEGER_QUERY_GRPC=$(port 16685)
P_JAEGER_OTLP_GRPC=$(port 14317)
P_JAEGER_OTLP_HTTP=$(port 14318)
P_JAEGER_TELEMETRY=$(port 14269)
P_JAEGER_HEALTH=$(port 13133)
P_PROMETHEUS=$(port 9090)
P_ALERTMANAGER=$(port 9093)

say() { echo "stack: $*" >&2; }

# Starts a program in the background with its output added to logs/<name>.log and its pid in pids/<name>.pid.
launch() {
  local name="$1"
  shift
  "$@" >>"$STATE/logs/$name.log" 2>&1 &
  echo $! >"$STATE/pids/$name.pid"
}

# Waits until a URL answers 2xx (or a TCP port accepts, for tcp://host:port), else shows the log and fails.
await() {
  local name="$1" target="$2"
  for _ in $(seq 1 300); do
    if ! kill -0 "$(cat "$STATE/pids/$name.pid")" 2>/dev/null; then break; fi
    case "$target" in
      tcp://*) (exec 3<>"/dev/tcp/${target#tcp://}") 2>/dev/null && return 0 ;;
      *) node -e "fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" "$target" && return 0 ;;
    esac
    sleep 0.2
  done
  say "$name did not come up at $target; its log ($STATE/logs/$name.log):"
  tail -n 40 "$STATE/logs/$name.log" >&2
  return 1
}

# The shipped prometheus.yml with the compose host names replaced by this stack's addresses; the
# shipped rules are loaded from the repository, plus any extra rule files.
prometheus_config() {
  local rules="  - $ROOT/dashboards/prometheus/rules/*.yml"
  for extra in ${TOKENLEDGER_STACK_EXTRA_RULES:-}; do rules="$rules"$'\n'"  - $extra"; done
  RULES="$rules" METRICS_KEY_FILE="$STATE/metrics.key" node -e '
    const fs = require("fs");
    let text = fs.readFileSync(process.argv[1], "utf8");
    const [collector, collector2, otelcol, alertmanager, interval] = process.argv.slice(2);
    text = text.replace("collector-service:8080", collector).replace("collector-service-2:8080", collector2).replace("otel-collector:8888", otelcol).replace("alertmanager:9093", alertmanager);
    text = text.replace("/prometheus/tokenledger-metrics.key", process.env.METRICS_KEY_FILE);
    text = text.replace(/rule_files:\n(  - .*\n)+/, "rule_files:\n" + process.env.RULES + "\n");
    if (interval) text = text.replace(/(scrape_interval|evaluation_interval): \S+/g, `$1: ${interval}`);
    process.stdout.write(text);
  ' "$ROOT/dashboards/prometheus/prometheus.yml" "127.0.0.1:$P_COLLECTOR" "127.0.0.1:$P_COLLECTOR_2" "127.0.0.1:$P_OTELCOL_TELEMETRY" "127.0.0.1:$P_ALERTMANAGER" "${TOKENLEDGER_STACK_INTERVAL:-}"
}

# A key of the given role for one of the stack's programs: create_key <admin key> <role> <name>.
create_key() {
  node -e '
    fetch(process.argv[1] + "/v1/keys", { method: "POST", headers: { authorization: "Bearer " + process.argv[2], "content-type": "application/json" }, body: JSON.stringify({ role: process.argv[3], name: process.argv[4] }) })
      .then(async (r) => { if (!r.ok) throw new Error(`POST /v1/keys answered ${r.status}: ${await r.text()}`); console.log((await r.json()).key); })
      .catch((e) => { console.error(e.message); process.exit(1); });
  ' "http://127.0.0.1:$P_COLLECTOR" "$1" "$2" "$3"
}

# Starts one collector service replica on the stack's store, with the settings every replica shares
# (collector-service.env, written at start).
launch_collector() {
  local name="$1" http="$2" grpc="$3"
  # shellcheck disable=SC2046 # one NAME=value word per line
  launch "$name" env $(cat "$STATE/collector-service.env") TOKENLEDGER_HOST=127.0.0.1 TOKENLEDGER_PORT="$http" TOKENLEDGER_GRPC_PORT="$grpc" \
    node "$ROOT/collector-service/dist/main.js"
}

# Builds the programs, or finds them in the cache, into the caller's ferretdb, otelcol, jaeger, prometheus and alertmanager.
programs() {
  say "building or finding the programs (cached in $TL_CACHE)"
  ferretdb="$(bash "$ROOT/scripts/ferretdb/build.sh")"
  otelcol="$(tl_otelcol)"
  jaeger="$(tl_jaeger)"
  prometheus="$(tl_prometheus_tool prometheus)"
  alertmanager="$(tl_alertmanager)"
}

start() {
  if [ -f "$STATE/stack.env" ]; then
    say "already running (state in $STATE); stop it with npm run stack:stop"
    cat "$STATE/urls"
    return 0
  fi
  [ -f "$ROOT/collector-service/dist/main.js" ] || { say "build first: ./run build"; return 1; }
  local ferretdb otelcol jaeger prometheus alertmanager
  programs
  mkdir -p "$STATE/pids" "$STATE/logs" "$STATE/data/ferretdb" "$STATE/data/prometheus" "$STATE/data/alertmanager"
  rm -f "$STATE/logs/"*.log
  trap 'say "start failed; stopping what started"; stop' ERR

  launch ferretdb "$ferretdb" -listen "127.0.0.1:$P_MONGO" -dir "$STATE/data/ferretdb"
  await ferretdb "tcp://127.0.0.1/$P_MONGO"

  local admin_key
  admin_key="stack-admin-$(node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))')"
  cat >"$STATE/collector-service.env" <<ENV
TOKENLEDGER_STORE=mongo
MONGODB_URI=mongodb://127.0.0.1:$P_MONGO/tokenledger
TOKENLEDGER_ADMIN_KEY=$admin_key
TOKENLEDGER_JAEGER_URL=http://127.0.0.1:$P_JAEGER_UI
TOKENLEDGER_ALERT_INTERVAL_SECONDS=${TOKENLEDGER_ALERT_INTERVAL_SECONDS:-60}
ENV
  # Both replicas start at once on the same store, as they do in docker-compose.
  launch_collector collector-service "$P_COLLECTOR" "$P_COLLECTOR_GRPC"
  launch_collector collector-service-2 "$P_COLLECTOR_2" "$P_COLLECTOR_2_GRPC"
  await collector-service "http://127.0.0.1:$P_COLLECTOR/readyz"
  await collector-service-2 "http://127.0.0.1:$P_COLLECTOR_2/readyz"
  local ingest_key
  ingest_key="$(create_key "$admin_key" ingest otel-collector)"
  (umask 077 && create_key "$admin_key" metrics prometheus >"$STATE/metrics.key")

  launch jaeger env JAEGER_OTLP_GRPC_ENDPOINT="127.0.0.1:$P_JAEGER_OTLP_GRPC" JAEGER_OTLP_HTTP_ENDPOINT="127.0.0.1:$P_JAEGER_OTLP_HTTP" \
    JAEGER_QUERY_HTTP_ENDPOINT="127.0.0.1:$P_JAEGER_UI" JAEGER_QUERY_GRPC_ENDPOINT="127.0.0.1:$P_JAEGER_QUERY_GRPC" \
    JAEGER_HEALTH_ENDPOINT="127.0.0.1:$P_JAEGER_HEALTH" JAEGER_TELEMETRY_HOST=127.0.0.1 JAEGER_TELEMETRY_PORT="$P_JAEGER_TELEMETRY" \
    OTEL_TRACES_EXPORTER=none "$jaeger" --config "$ROOT/dashboards/jaeger/jaeger.yaml"
  await jaeger "http://127.0.0.1:$P_JAEGER_UI/api/services"

  launch alertmanager "$alertmanager" --config.file="$ROOT/dashboards/alertmanager/alertmanager.yml" \
    --storage.path="$STATE/data/alertmanager" --web.listen-address="127.0.0.1:$P_ALERTMANAGER" --cluster.listen-address=
  await alertmanager "http://127.0.0.1:$P_ALERTMANAGER/-/ready"

  prometheus_config >"$STATE/prometheus.yml"
  launch prometheus "$prometheus" --config.file="$STATE/prometheus.yml" --storage.tsdb.path="$STATE/data/prometheus" \
    --web.listen-address="127.0.0.1:$P_PROMETHEUS" --web.enable-otlp-receiver --web.enable-lifecycle
  await prometheus "http://127.0.0.1:$P_PROMETHEUS/-/ready"

  local otelcol_configs=(--config "$ROOT/otel-collector.yaml")
  if [ -n "${TOKENLEDGER_OTLP_TOKEN:-}" ]; then otelcol_configs+=(--config "$ROOT/dashboards/otel-collector/otlp-auth.yaml"); fi
  launch otel-collector env OTELCOL_OTLP_GRPC_ENDPOINT="127.0.0.1:$P_OTLP_GRPC" OTELCOL_OTLP_HTTP_ENDPOINT="127.0.0.1:$P_OTLP_HTTP" \
    JAEGER_OTLP_GRPC_ENDPOINT="127.0.0.1:$P_JAEGER_OTLP_GRPC" TOKENLEDGER_GRPC_ENDPOINTS="[127.0.0.1:$P_COLLECTOR_GRPC, 127.0.0.1:$P_COLLECTOR_2_GRPC]" \
    TOKENLEDGER_INGEST_KEY="$ingest_key" PROMETHEUS_OTLP_METRICS_ENDPOINT="http://127.0.0.1:$P_PROMETHEUS/api/v1/otlp/v1/metrics" \
    OTELCOL_TELEMETRY_HOST=127.0.0.1 OTELCOL_TELEMETRY_PORT="$P_OTELCOL_TELEMETRY" TOKENLEDGER_OTLP_TOKEN="${TOKENLEDGER_OTLP_TOKEN:-}" \
    "$otelcol" "${otelcol_configs[@]}"
  await otel-collector "http://127.0.0.1:$P_OTELCOL_TELEMETRY/metrics"
  trap - ERR

  cat >"$STATE/urls" <<URLS
OTLP (apps)         OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$P_OTLP_HTTP   (gRPC 127.0.0.1:$P_OTLP_GRPC)${TOKENLEDGER_OTLP_TOKEN:+
                    OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20$TOKENLEDGER_OTLP_TOKEN}
collector service   http://127.0.0.1:$P_COLLECTOR   (reports /v1/reports/summary, dashboard /dashboard, metrics /metrics)
second replica      http://127.0.0.1:$P_COLLECTOR_2   (the same store; OTLP/gRPC 127.0.0.1:$P_COLLECTOR_GRPC and :$P_COLLECTOR_2_GRPC)
Jaeger              http://127.0.0.1:$P_JAEGER_UI
Prometheus          http://127.0.0.1:$P_PROMETHEUS
Alertmanager        http://127.0.0.1:$P_ALERTMANAGER
MongoDB (FerretDB)  mongodb://127.0.0.1:$P_MONGO/tokenledger
admin key           $admin_key
logs                $STATE/logs
URLS
  cat >"$STATE/stack.env" <<ENV
export TOKENLEDGER_STACK_OTLP_HTTP_URL=http://127.0.0.1:$P_OTLP_HTTP
export TOKENLEDGER_STACK_OTLP_TOKEN=${TOKENLEDGER_OTLP_TOKEN:-}
export TOKENLEDGER_STACK_COLLECTOR_URL=http://127.0.0.1:$P_COLLECTOR
export TOKENLEDGER_STACK_COLLECTOR_2_URL=http://127.0.0.1:$P_COLLECTOR_2
export TOKENLEDGER_STACK_JAEGER_URL=http://127.0.0.1:$P_JAEGER_UI
export TOKENLEDGER_STACK_PROMETHEUS_URL=http://127.0.0.1:$P_PROMETHEUS
export TOKENLEDGER_STACK_ALERTMANAGER_URL=http://127.0.0.1:$P_ALERTMANAGER
export TOKENLEDGER_STACK_ADMIN_KEY=$admin_key
export TOKENLEDGER_STACK_DIR=$STATE
export TOKENLEDGER_STACK_PORT_OFFSET=$OFFSET
ENV
  say "running; stop it with npm run stack:stop"
  cat "$STATE/urls"
}

# Stops one program (SIGTERM, then SIGKILL after 5 s) if it runs.
stop_program() {
  local pidfile="$STATE/pids/$1.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

stop() {
  # Reverse start order, so the Collector flushes while its destinations are still up.
  for name in otel-collector prometheus alertmanager jaeger collector-service-2 collector-service ferretdb; do stop_program "$name"; done
  rm -rf "$STATE/data" "$STATE/stack.env" "$STATE/urls" "$STATE/prometheus.yml" "$STATE/metrics.key" "$STATE/collector-service.env"
}

restart() {
  [ -f "$STATE/collector-service.env" ] || { say "no stack runs in $STATE"; return 1; }
  case "$1" in
    collector-service) set -- "$1" "$P_COLLECTOR" "$P_COLLECTOR_GRPC" ;;
    collector-service-2) set -- "$1" "$P_COLLECTOR_2" "$P_COLLECTOR_2_GRPC" ;;
    *) say "restart takes collector-service or collector-service-2, not '$1'"; return 2 ;;
  esac
  stop_program "$1"
  launch_collector "$@"
  await "$1" "http://127.0.0.1:$2/readyz"
}

case "${1:-}" in
  start) start ;;
  build) ferretdb='' otelcol='' jaeger='' prometheus='' alertmanager='' && programs ;;
  stop) stop && say "stopped" ;;
  restart) restart "${2:-}" ;;
  ports) sed -n 's/^P_[A-Z0-9_]*=$(port \([0-9]*\))$/\1/p' "${BASH_SOURCE[0]}" ;;
  *) echo "usage: $0 start|build|stop|restart <name>|ports" >&2; exit 2 ;;
esac
