#!/usr/bin/env bash
# Node.js binaries of other release lines, for running the built CLI's tests on each line README
# promises (engines: >=20.19): the newest MAJOR.x of the npm registry's `node-linux-<arch>` package
# (the official Linux build, published to npm), fetched with the registry this machine's npm uses
# and unpacked once into a cache. Prints the path of each `node`, one per line, in the order asked.
#   node-versions.sh MAJOR...            e.g. node-versions.sh 22 24
# Env: STACK_WIZARD_NODE_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/stack-wizard/node).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 MAJOR..." >&2; exit 2; }
case $(uname -m) in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) echo "node-versions: no Node.js package for $(uname -m)" >&2; exit 3 ;; esac
cache=${STACK_WIZARD_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stack-wizard/node}
mkdir -p "$cache"

for major in "$@"; do
  case $major in ''|*[!0-9]*) echo "node-versions: a major version is a number, not '$major'" >&2; exit 2 ;; esac
  pkg="node-linux-$arch"
  # The newest of that line the registry has; without the registry, the newest one unpacked before.
  # (`npm view --json` prints one version as a string, several as an array.)
  if version=$(npm view --json "$pkg@$major" version 2>/dev/null | tr -d '[]", ' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1) && [ -n "$version" ]; then
    :
  else
    version=$(find "$cache" -maxdepth 1 -name "v$major.*" -printf '%f\n' 2>/dev/null | sed 's/^v//' | sort -V | tail -n 1)
    [ -n "$version" ] || { echo "node-versions: cannot ask the npm registry for $pkg@$major and none is cached in $cache" >&2; exit 3; }
  fi
  dir="$cache/v$version"
  if [ ! -x "$dir/bin/node" ]; then
    tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
    (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null && tar -xzf ./*.tgz)
    [ -x "$tmp/package/bin/node" ] || { echo "node-versions: $pkg@$version has no bin/node" >&2; rm -rf "$tmp"; exit 3; }
    rm -rf "$dir"
    mkdir -p "$dir/bin"
    mv "$tmp/package/bin/node" "$dir/bin/node"
    rm -rf "$tmp"
  fi
  got=$("$dir/bin/node" --version)
  [ "$got" = "v$version" ] || { echo "node-versions: $dir/bin/node says $got, not v$version" >&2; exit 3; }
  echo "$dir/bin/node"
done
