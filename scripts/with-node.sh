#!/usr/bin/env bash
# Runs the given command with Node >= 22 first on PATH.
# If the machine's Node is older, a pinned Node 24 and npm are fetched from the
# npm registry (npm verifies each tarball's integrity) into .tools/ inside the
# checkout; nothing outside the checkout is touched.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE_VERSION=24.21.0
NPM_VERSION=11.19.1
tools="$root/.tools"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

install_node() {
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "with-node: no packaged Node for $(uname -m); install Node >= 22 yourself" >&2; exit 1 ;;
  esac
  command -v npm >/dev/null || { echo "with-node: npm is needed to fetch Node $NODE_VERSION" >&2; exit 1; }
  echo "with-node: fetching Node $NODE_VERSION and npm $NPM_VERSION into .tools/" >&2
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$tmp/node" "$tmp/npm"
  tar xzf "$tmp/node-linux-$arch-$NODE_VERSION.tgz" -C "$tmp/node" --strip-components=1
  tar xzf "$tmp/npm-$NPM_VERSION.tgz" -C "$tmp/npm" --strip-components=1
  mkdir -p "$tmp/node/lib/node_modules"
  mv "$tmp/npm" "$tmp/node/lib/node_modules/npm"
  for cmd in npm npx; do
    printf '#!/bin/sh\nexec "%s/node/bin/node" "%s/node/lib/node_modules/npm/bin/%s-cli.js" "$@"\n' \
      "$tools" "$tools" "$cmd" >"$tmp/node/bin/$cmd"
    chmod +x "$tmp/node/bin/$cmd"
  done
  "$tmp/node/bin/node" --version >/dev/null
  rm -rf "$tools/node"
  mkdir -p "$tools"
  mv "$tmp/node" "$tools/node"
}

if [ ! -x "$tools/node/bin/node" ] && [ "$(node_major)" -lt 22 ]; then
  install_node
fi
if [ -x "$tools/node/bin/node" ]; then
  export PATH="$tools/node/bin:$PATH"
fi
exec "$@"
