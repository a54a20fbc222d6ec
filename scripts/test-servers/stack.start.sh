# shellcheck shell=bash
# Sourced by scripts/test.sh: starts the native operations stack (scripts/stack/stack.sh) for the
# end-to-end test in test/stack, with a 2-second scrape and evaluation interval and the test's own alert
# rule next to the shipped ones. Its state directory is named after the shell that sourced this
# (test.sh) and its ports are offset by an amount whose ports are all free now, so concurrent test runs
# (two clones, two shells) never meet each other, nor a stack a person runs on the default ports;
# stack.stop.sh, run by that shell, finds the directory by $PPID.
export TOKENLEDGER_STACK_DIR="${TMPDIR:-/tmp}/tokenledger-stack-test.$$"
TOKENLEDGER_STACK_PORT_OFFSET="$(node "$(dirname "${BASH_SOURCE[0]}")/free-port-offset.js")" || return 1
export TOKENLEDGER_STACK_PORT_OFFSET
export TOKENLEDGER_STACK_INTERVAL=2s
# The OTLP receivers take only requests with a token, as docker-compose.yml has them.
TOKENLEDGER_OTLP_TOKEN="otlp-$(node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))')"
export TOKENLEDGER_OTLP_TOKEN
export TOKENLEDGER_METRICS_USER_ALLOWLIST=e2e-alice
export TOKENLEDGER_STACK_EXTRA_RULES="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/test/stack/rules/e2e.rules.yml"
bash "$(dirname "${BASH_SOURCE[0]}")/../stack/stack.sh" stop >/dev/null 2>&1 || true
bash "$(dirname "${BASH_SOURCE[0]}")/../stack/stack.sh" start >&2 || return 1
# shellcheck disable=SC1091
. "$TOKENLEDGER_STACK_DIR/stack.env"
echo "test servers: the operations stack (see $TOKENLEDGER_STACK_DIR/urls)" >&2
