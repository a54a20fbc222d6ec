#!/usr/bin/env bash
# Stops the operations stack that stack.start.sh started in the calling shell (test.sh), and removes
# its data and state directory. The directory is named after that shell's pid, so another run's stack
# is never touched.
dir="${TMPDIR:-/tmp}/tokenledger-stack-test.$PPID"
[ -d "$dir" ] || exit 0
TOKENLEDGER_STACK_DIR="$dir" bash "$(dirname "${BASH_SOURCE[0]}")/../stack/stack.sh" stop >/dev/null 2>&1 || true
rm -rf "$dir"
