#!/usr/bin/env bash
# Stops the operations stack that stack.start.sh started, and removes its data.
TOKENLEDGER_STACK_DIR="${TMPDIR:-/tmp}/tokenledger-stack-test" bash "$(dirname "${BASH_SOURCE[0]}")/../stack/stack.sh" stop >/dev/null 2>&1 || true
