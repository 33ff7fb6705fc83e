#!/usr/bin/env bash
# Runs a command (test/run.sh: the unit suite) where this machine cannot leak into it: a network
# namespace of its own (only a loopback that is down: no registry, no DNS, no local server), a
# scratch HOME and TMPDIR, and the host's state folders (/etc/ufw, /etc/docker, /opt, …) covered by
# empty tmpfs mounts, so a test that reads them fails here as on a machine that lacks them. The
# unit suite's in-process fence (test/support/hermetic.ts) names each breach; this proves the same
# from outside. Needs root (or unprivileged user namespaces): the namespaces are unshare(1)'s.
#   unit-sandbox.sh COMMAND [ARG...]
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }
command -v unshare >/dev/null || { echo "unit-sandbox: unshare (util-linux) is missing" >&2; exit 3; }

checkout=$(cd "$(dirname "$0")/../.." && pwd -P)
node_dir=$(dirname "$(readlink -f "$(command -v node)")")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/stack-wizard-unit.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home" "$scratch/tmp"

# What a server's own state lives in. A folder that holds the checkout, Node or the scratch space
# stays visible (a CI clone under /opt, Node under /opt/node…).
hide=()
for d in /etc/ufw /etc/fail2ban /etc/docker /etc/stack-wizard /etc/nginx /etc/logrotate.d /etc/sysctl.d /etc/cron.d \
  /etc/systemd/system /opt /srv /home /var/lib/docker /var/log /var/backups /run; do
  [ -d "$d" ] || continue
  case "$checkout/" in "$d"/*) continue ;; esac
  case "$node_dir/" in "$d"/*) continue ;; esac
  case "$scratch/" in "$d"/*) continue ;; esac
  hide+=("$d")
done

if ! unshare --net --mount --fork -- true 2>/dev/null; then
  echo "unit-sandbox: cannot make network and mount namespaces here (run as root, or enable user namespaces)" >&2
  exit 3
fi

# Inside: mounts are private to the namespace (unshare's default propagation), so nothing here
# reaches the host's mount table. Not exec: the trap removes the scratch space afterwards.
# shellcheck disable=SC2016 # the inner bash expands its own arguments
unshare --net --mount --fork -- env HOME="$scratch/home" TMPDIR="$scratch/tmp" XDG_CONFIG_HOME="$scratch/home/.config" \
  bash -c 'set -euo pipefail; n=$1; shift; for d in "${@:1:$n}"; do mount -t tmpfs -o mode=0755,size=1m none "$d"; done; shift "$n"; exec "$@"' \
  _ "${#hide[@]}" "${hide[@]}" "$@"
