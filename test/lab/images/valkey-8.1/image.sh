# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/valkey:8.1 — Debian trixie's valkey-server with the official `valkey/valkey`
# image's contract: `valkey-server [/path/valkey.conf] [--option value]...` as the command (a first
# argument that is an option or a *.conf means valkey-server), data in /data (the working
# directory), the server as user valkey, protected-mode off unless chosen (the official build's
# default), umask 0077, VALKEY_EXTRA_FLAGS appended, valkey-cli and the redis-* names (the
# official image's `make install` links them) present. Sourced by build-images.sh, and by
# valkey-9.1/image.sh, which changes the suite, tag and series.
VALKEY_IMAGE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VALKEY_SERIES=8.1
SUITE=trixie
PACKAGES=(valkey-server valkey-tools)
TAGS=(stack-wizard-lab/valkey:8.1)
CHANGES=(
  'ENTRYPOINT ["docker-entrypoint.sh"]'
  'CMD ["valkey-server"]'
  'WORKDIR /data'
  'VOLUME /data'
  'EXPOSE 6379'
)

customize() {
  local root=$1 version tool
  version=$(chroot "$root" dpkg-query -W -f '${Version}' valkey-server)
  case $version in "$VALKEY_SERIES".*) ;; *) echo "valkey-server is $version, not $VALKEY_SERIES" >&2; return 1 ;; esac
  # The shared entrypoint (a no-op for this folder's own build, which copied it).
  cp -r --preserve=mode "$VALKEY_IMAGE_DIR/rootfs/." "$root/"
  CHANGES+=("ENV VALKEY_VERSION=${version%%[+-]*}")
  for tool in server cli benchmark check-aof check-rdb sentinel; do
    if [ -e "$root/usr/bin/valkey-$tool" ] && [ ! -e "$root/usr/bin/redis-$tool" ]; then
      ln -s "/usr/bin/valkey-$tool" "$root/usr/local/bin/redis-$tool"
    fi
  done
  [ -e "$root/usr/bin/valkey-cli" ] || { echo "valkey-cli is missing" >&2; return 1; }
  mkdir -p "$root/data"
  chroot "$root" chown valkey:valkey /data
  chmod 0755 "$root/usr/local/bin/docker-entrypoint.sh"
}
