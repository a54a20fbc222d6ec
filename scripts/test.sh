#!/usr/bin/env bash
# The test command: runs the lint (the whole run only: a run given jest arguments is focused and skips it),
# starts the real servers the suites need on 127.0.0.1, runs every jest project once, stops the servers,
# and closes with one summary line ("N passed, N failed").
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p test-artifacts

if [ $# -eq 0 ]; then
  echo "test.sh: lint" >&2
  bash scripts/lint.sh || { echo "test.sh: the lint failed" >&2; exit 1; }
fi

cleanup() { for f in "$ROOT"/scripts/test-servers/*.stop.sh; do [ -e "$f" ] && bash "$f" || true; done; }
trap cleanup EXIT
for f in "$ROOT"/scripts/test-servers/*.start.sh; do
  [ -e "$f" ] || continue
  # shellcheck disable=SC1090
  . "$f" || { echo "test.sh: $(basename "$f") failed" >&2; exit 1; }
done

npx jest --ci --json --outputFile=test-artifacts/jest.json "$@"
status=$?
node scripts/test-summary.js test-artifacts/jest.json || status=1
exit $status
