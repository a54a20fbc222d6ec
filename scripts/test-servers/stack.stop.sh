#!/usr/bin/env bash
# Stops the operations stack that stack.start.sh started in the calling shell (test.sh), keeps its logs
# in test-artifacts/stack-logs, and removes its data and state directory. The directory is named after
# that shell's pid, so another run's stack is never touched.
dir="${TMPDIR:-/tmp}/tokenledger-stack-test.$PPID"
[ -d "$dir" ] || exit 0
TOKENLEDGER_STACK_DIR="$dir" bash "$(dirname "${BASH_SOURCE[0]}")/../stack/stack.sh" stop >/dev/null 2>&1 || true
# The programs' logs outlive the run (test-artifacts/stack-logs, the last run's), so a failure can be read afterwards.
artifacts="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/test-artifacts"
if [ -d "$dir/logs" ]; then rm -rf "$artifacts/stack-logs" && mkdir -p "$artifacts" && cp -r "$dir/logs" "$artifacts/stack-logs" || true; fi
rm -rf "$dir"
