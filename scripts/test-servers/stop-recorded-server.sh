#!/usr/bin/env bash
# Stops the server a <name>.start.sh started in the calling shell (test.sh) and removes its files.
# Sourced by <name>.stop.sh with $1 the server's name. The state file, written by the start script,
# holds the server's pid and its directory, and is named after that shell's pid, so another run's
# server is never touched.
state="${TMPDIR:-/tmp}/tokenledger-$1.$PPID"
[ -f "$state" ] || exit 0
{ read -r pid; read -r dir; } <"$state"
if [ -n "$pid" ]; then
  kill "$pid" 2>/dev/null || true
  # Wait for it to exit before removing the files it writes.
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
fi
[ -n "$dir" ] && rm -rf "$dir"
rm -f "$state"
