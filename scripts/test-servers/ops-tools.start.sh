# shellcheck shell=bash
# Sourced by scripts/test.sh: builds (cached) or installs the programs the operations-stack tests run,
# and exports their paths for the dashboards tests.
# shellcheck source=../stack/go-tools.sh
. "$(dirname "${BASH_SOURCE[0]}")/../stack/go-tools.sh"
TOKENLEDGER_PROMTOOL="$(tl_prometheus_tool promtool)" || return 1
TOKENLEDGER_OTELCOL="$(tl_otelcol)" || return 1
TOKENLEDGER_AMTOOL="$(tl_amtool)" || return 1
TOKENLEDGER_DOCKER_COMPOSE="$(tl_docker_compose)" || return 1
export TOKENLEDGER_PROMTOOL TOKENLEDGER_OTELCOL TOKENLEDGER_AMTOOL TOKENLEDGER_DOCKER_COMPOSE
