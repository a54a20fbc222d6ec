# shellcheck shell=bash
# Sourced by scripts/test.sh: makes sure Debian's chromium is installed for the dashboard's browser
# tests (playwright-core drives it; no browser is downloaded by Playwright) and exports its path.
# An existing TOKENLEDGER_CHROMIUM is used as it is.
if [ -z "${TOKENLEDGER_CHROMIUM:-}" ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    echo "test servers: installing Debian's chromium for the dashboard tests" >&2
    bash "$(dirname "${BASH_SOURCE[0]}")/../apt-install.sh" chromium >&2 || return 1
  fi
  TOKENLEDGER_CHROMIUM="$(command -v chromium)"
  export TOKENLEDGER_CHROMIUM
  echo "test servers: chromium at $TOKENLEDGER_CHROMIUM" >&2
fi
