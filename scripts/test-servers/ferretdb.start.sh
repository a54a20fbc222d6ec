# shellcheck shell=bash
# Sourced by scripts/test.sh: starts FerretDB (MongoDB wire protocol, SQLite backend) on a free
# 127.0.0.1 port for the mongo storage contract suite and exports MONGODB_URI. An existing
# MONGODB_URI (a real MongoDB) is used as it is. The server's pid and data directory are kept in a
# file named after the shell that sourced this (test.sh), so that concurrent test runs (two clones,
# two shells) each stop only their own server; ferretdb.stop.sh, run by that shell, finds it by $PPID.
# The binary is exported as TOKENLEDGER_FERRETDB either way, for tests that run a server of their own.
TOKENLEDGER_FERRETDB="$(bash "$(dirname "${BASH_SOURCE[0]}")/../ferretdb/build.sh")" || return 1
export TOKENLEDGER_FERRETDB
if [ -z "${MONGODB_URI:-}" ]; then
  _tl_ferretdb_bin="$TOKENLEDGER_FERRETDB"
  _tl_ferretdb_dir="$(mktemp -d)"
  _tl_ferretdb_port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  "$_tl_ferretdb_bin" -listen "127.0.0.1:$_tl_ferretdb_port" -dir "$_tl_ferretdb_dir" >"$_tl_ferretdb_dir/ferretdb.log" 2>&1 &
  printf '%s\n%s\n' "$!" "$_tl_ferretdb_dir" >"${TMPDIR:-/tmp}/tokenledger-ferretdb.$$"
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$_tl_ferretdb_port") 2>/dev/null && break
    sleep 0.1
  done
  (exec 3<>"/dev/tcp/127.0.0.1/$_tl_ferretdb_port") 2>/dev/null || { echo "ferretdb did not start:" >&2; cat "$_tl_ferretdb_dir/ferretdb.log" >&2; return 1; }
  export MONGODB_URI="mongodb://127.0.0.1:$_tl_ferretdb_port/"
  echo "test servers: FerretDB on $MONGODB_URI" >&2
fi
