# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/redis:7.0 — Debian bookworm's redis-server with the official `redis` image's
# contract: `redis-server [/path/redis.conf] [--option value]...` as the command, data in /data
# (the working directory), the server as user redis, redis-cli present. Sourced by build-images.sh,
# and by redis-8.0/image.sh, which changes the suite, tag and series.
REDIS_IMAGE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REDIS_SERIES=7.0
PACKAGES=(redis-server redis-tools)
TAGS=(stack-wizard-lab/redis:7.0)
CHANGES=(
  'ENTRYPOINT ["docker-entrypoint.sh"]'
  'CMD ["redis-server"]'
  'WORKDIR /data'
  'VOLUME /data'
  'EXPOSE 6379'
)

customize() {
  local root=$1 version
  version=$(chroot "$root" dpkg-query -W -f '${Version}' redis-server)
  case $version in "5:$REDIS_SERIES".*) ;; *) echo "redis-server is $version, not $REDIS_SERIES" >&2; return 1 ;; esac
  # The shared entrypoint (a no-op for this folder's own build, which copied it).
  cp -r --preserve=mode "$REDIS_IMAGE_DIR/rootfs/." "$root/"
  CHANGES+=("ENV REDIS_VERSION=${version#5:}")
  mkdir -p "$root/data"
  chroot "$root" chown redis:redis /data
  chmod 0755 "$root/usr/local/bin/docker-entrypoint.sh"
}
