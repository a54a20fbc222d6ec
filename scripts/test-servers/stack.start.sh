# shellcheck shell=bash
# Sourced by scripts/test.sh: starts the native operations stack (scripts/stack/stack.sh) for the
# end-to-end test in test/stack, with a 2-second scrape and evaluation interval and the test's own alert
# rule next to the shipped ones. Its state directory is named after the shell that sourced this
# (test.sh) and its ports are offset by an amount whose ports are all free once the programs are built,
# so concurrent test runs (two clones, two shells) never meet each other, nor a stack a person runs on
# the default ports;
# stack.stop.sh, run by that shell, finds the directory by $PPID.
export TOKENLEDGER_STACK_DIR="${TMPDIR:-/tmp}/tokenledger-stack-test.$$"
export TOKENLEDGER_STACK_INTERVAL=2s
# The OTLP receivers take only requests with a token, as docker-compose.yml has them.
TOKENLEDGER_OTLP_TOKEN="otlp-$(node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))')"
export TOKENLEDGER_OTLP_TOKEN
export TOKENLEDGER_METRICS_USER_ALLOWLIST=e2e-alice
export TOKENLEDGER_STACK_EXTRA_RULES="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/test/stack/rules/e2e.rules.yml"
# The programs first: a cold build takes many minutes, and ports found free before it may be taken by then.
bash "$(dirname "${BASH_SOURCE[0]}")/../stack/stack.sh" build >&2 || return 1
# A port found free can still be taken before its program binds it (any connection on the machine may get
# it as its ephemeral port): a start that fails on a taken port is tried again on other ports.
for stack_attempt in 1 2 3; do
  TOKENLEDGER_STACK_PORT_OFFSET="$(node "$(dirname "${BASH_SOURCE[0]}")/free-port-offset.js")" || return 1
  export TOKENLEDGER_STACK_PORT_OFFSET
  bash "$(dirname "${BASH_SOURCE[0]}")/../stack/stack.sh" stop >/dev/null 2>&1 || true
  bash "$(dirname "${BASH_SOURCE[0]}")/../stack/stack.sh" start >&2 && break
  grep -qsiE 'address already in use|EADDRINUSE' "$TOKENLEDGER_STACK_DIR"/logs/*.log || return 1
  [ "$stack_attempt" -lt 3 ] || return 1
  echo "test servers: a port of the stack (offset $TOKENLEDGER_STACK_PORT_OFFSET) was taken before its program bound it; starting again on other ports" >&2
done
unset stack_attempt
# shellcheck disable=SC1091
. "$TOKENLEDGER_STACK_DIR/stack.env"
echo "test servers: the operations stack (see $TOKENLEDGER_STACK_DIR/urls)" >&2
