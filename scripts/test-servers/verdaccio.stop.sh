#!/usr/bin/env bash
# Stops the Verdaccio that verdaccio.start.sh started in the calling shell (test.sh), and removes what
# was published into it. The state file is named after that shell's pid: another run's is never touched.
state="${TMPDIR:-/tmp}/tokenledger-verdaccio.$PPID"
[ -f "$state" ] || exit 0
{ read -r pid; read -r dir; } <"$state"
if [ -n "$pid" ]; then
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
fi
[ -n "$dir" ] && rm -rf "$dir"
rm -f "$state"
