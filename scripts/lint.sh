#!/usr/bin/env bash
# The lint: ESLint over every workspace (eslint.config.mjs). ESLint's type-aware rules read each workspace's compiled
# packages, so run this after the build (./run lint and ./run test do). Its cache lives outside the
# repository; a changed config or dependency set invalidates it by itself.
#   scripts/lint.sh            every problem, warnings included
#   scripts/lint.sh --quiet    errors only (the test run)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cache="${TOKENLEDGER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenledger}/eslint/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)/"
mkdir -p "$cache"
npx eslint --cache --cache-strategy content --cache-location "$cache" "$@" .
