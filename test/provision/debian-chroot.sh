#!/usr/bin/env bash
# Builds (or reuses) a Debian chroot with the given packages, for running a server version this
# machine does not have (e.g. trixie's nginx 1.26 and MariaDB 11.8). Prints the chroot's path.
#   debian-chroot.sh SUITE PACKAGE...
# Cached under test/.cache/chroots/ (gitignored), keyed by suite, packages and this script, so a
# rerun is instant; a clean clone (CI) builds it from scratch with mmdebstrap (about 30 s).
# The chroot also gets the official images' `nginx` user, which our nginx.conf runs workers as.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 SUITE PACKAGE..." >&2; exit 2; }
suite=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pkgs=$(printf '%s\n' "$@" | sort -u | paste -sd, -)
key=$( { echo "$suite $pkgs"; cat "$0"; } | sha256sum | cut -c1-16)
cache="$root/test/.cache/chroots"
dir="$cache/$suite-$key"
if [ -x "$dir/usr/bin/env" ] && [ -f "$dir/.complete" ]; then echo "$dir"; exit 0; fi
command -v mmdebstrap >/dev/null || { echo "mmdebstrap is missing: apt-get install mmdebstrap" >&2; exit 1; }
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$dir/.complete" ]; then echo "$dir"; exit 0; fi
uri=$("$here/debian-uri.sh")
tmp=$(mktemp -d "$cache/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# sid is a frozen snapshot here, past its Release file's Valid-Until date.
aptopt=()
[ "$suite" = sid ] && aptopt=(--aptopt='Acquire::Check-Valid-Until "false"')
mmdebstrap --quiet --variant=apt "${aptopt[@]}" --include="$pkgs" \
  --customize-hook='chroot "$1" sh -c "getent passwd nginx >/dev/null || useradd --system --no-create-home --shell /usr/sbin/nologin nginx"' \
  "$suite" "$tmp/root" "$uri" >&2
# mmdebstrap writes no /etc/hosts: mariadb-install-db's resolveip then finds neither the host name
# nor localhost (the real tests that stage files add their own names to it).
[ -e "$tmp/root/etc/hosts" ] || printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$tmp/root/etc/hosts"
touch "$tmp/root/.complete"
rm -rf "$dir"
mv "$tmp/root" "$dir"
echo "$dir"
