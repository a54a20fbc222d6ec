#!/usr/bin/env bash
# Installs Debian packages for the test servers and the stack: scripts/apt-install.sh <package>...
# Test runs started side by side on a fresh machine (two clones, a CI beside a focused run) each install
# what they miss; apt allows one writer at a time and fails the others at once ("Could not get lock").
# So our own installs take turns on one lock file, and apt waits for the lock of anything else that is
# installing (DPkg::Lock::Timeout) instead of failing.
set -euo pipefail
[ $# -gt 0 ] || { echo "apt-install.sh: name the packages to install" >&2; exit 2; }
exec 9>"${TMPDIR:-/tmp}/tokenledger-apt.lock"
flock 9
missing=()
for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}"
