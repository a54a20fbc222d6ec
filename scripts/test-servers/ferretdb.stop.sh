#!/usr/bin/env bash
# Stops the FerretDB that ferretdb.start.sh started, and removes its data.
pidfile="${TMPDIR:-/tmp}/tokenledger-ferretdb.pid"
dirfile="${TMPDIR:-/tmp}/tokenledger-ferretdb.dir"
if [ -f "$pidfile" ]; then
  kill "$(cat "$pidfile")" 2>/dev/null || true
  rm -f "$pidfile"
fi
if [ -f "$dirfile" ]; then
  rm -rf "$(cat "$dirfile")"
  rm -f "$dirfile"
fi
