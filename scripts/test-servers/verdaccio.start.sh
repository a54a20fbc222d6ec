# shellcheck shell=bash
# Sourced by scripts/test.sh: starts Verdaccio, a real npm registry, on a free 127.0.0.1 port with its
# storage in a fresh temporary directory, for the release test (test/release), and exports
# TOKENLEDGER_TEST_REGISTRY. It holds only what is published into it (no uplink): anything else an
# install needs comes from the default registry. Verdaccio itself is installed once from the npm
# registry into the cache outside the repository. Like ferretdb.start.sh, the pid and directory are
# kept in a file named after the sourcing shell, so concurrent runs each stop only their own.
if [ -z "${TOKENLEDGER_TEST_REGISTRY:-}" ]; then
  _tl_verdaccio_version=6.10.4
  _tl_verdaccio_home="${TOKENLEDGER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenledger}/verdaccio-$_tl_verdaccio_version"
  if [ ! -x "$_tl_verdaccio_home/node_modules/.bin/verdaccio" ]; then
    echo "test servers: installing verdaccio@$_tl_verdaccio_version into $_tl_verdaccio_home" >&2
    mkdir -p "$_tl_verdaccio_home" &&
      (cd "$_tl_verdaccio_home" && echo '{"private":true}' >package.json &&
        npm install --no-audit --no-fund --no-package-lock --loglevel=error "verdaccio@$_tl_verdaccio_version" >&2) || return 1
  fi
  _tl_verdaccio_dir="$(mktemp -d)"
  _tl_verdaccio_port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  cat >"$_tl_verdaccio_dir/config.yaml" <<YAML
storage: $_tl_verdaccio_dir/storage
auth:
  htpasswd:
    file: $_tl_verdaccio_dir/htpasswd
    max_users: 100
uplinks: {}
packages:
  '**':
    access: \$all
    publish: \$authenticated
    unpublish: \$authenticated
server:
  keepAliveTimeout: 60
log: { type: stdout, format: pretty, level: warn }
YAML
  "$_tl_verdaccio_home/node_modules/.bin/verdaccio" --config "$_tl_verdaccio_dir/config.yaml" --listen "127.0.0.1:$_tl_verdaccio_port" >"$_tl_verdaccio_dir/verdaccio.log" 2>&1 &
  printf '%s\n%s\n' "$!" "$_tl_verdaccio_dir" >"${TMPDIR:-/tmp}/tokenledger-verdaccio.$$"
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$_tl_verdaccio_port") 2>/dev/null && break
    sleep 0.1
  done
  (exec 3<>"/dev/tcp/127.0.0.1/$_tl_verdaccio_port") 2>/dev/null || { echo "verdaccio did not start:" >&2; cat "$_tl_verdaccio_dir/verdaccio.log" >&2; return 1; }
  export TOKENLEDGER_TEST_REGISTRY="http://127.0.0.1:$_tl_verdaccio_port/"
  echo "test servers: Verdaccio on $TOKENLEDGER_TEST_REGISTRY" >&2
fi
