#!/usr/bin/env bash
# The lint: ESLint over every workspace (eslint.config.mjs), TypeScript's check of the test projects
# (jest runs tests through SWC, which strips their types without checking them; the build checks only
# src/), then Prettier's check over the files it formats (.prettierrc.json; .prettierignore names what
# it leaves alone; ./run format rewrites them).
# ESLint's type-aware rules read each workspace's compiled packages, so run this after the build
# (./run lint and ./run test do). ESLint's cache lives outside the repository and is keyed by each
# file's content and the config. A warning fails the lint as an error does (--max-warnings 0); extra
# arguments go to ESLint.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cache="${TOKENLEDGER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenledger}/eslint/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)/"
mkdir -p "$cache"
npx eslint --max-warnings 0 --cache --cache-strategy content --cache-location "$cache" "$@" .
# Every test project: each test/tsconfig.json.
typecheck_failed=0
while IFS= read -r project; do
  npx tsc --noEmit -p "$project" || { echo "lint.sh: type errors in $(dirname "$project")" >&2; typecheck_failed=1; }
done < <(find . -path ./node_modules -prune -o -path '*/node_modules' -prune -o -path '*/test/tsconfig.json' -print | sort)
[ "$typecheck_failed" -eq 0 ] || exit 1
npx prettier --check --log-level warn . || { echo "lint.sh: files not in Prettier's format: ./run format rewrites them" >&2; exit 1; }
