# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/redis:7.0 — Debian bookworm's redis-server with the official `redis` image's
# contract: `redis-server [/path/redis.conf] [--option value]...` as the command, data in /data
# (the working directory), the server as user redis, redis-cli present. Sourced by build-images.sh.
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
  case $version in 5:7.0.*) ;; *) echo "redis-server is $version, not 7.0" >&2; return 1 ;; esac
  CHANGES+=("ENV REDIS_VERSION=${version#5:}")
  mkdir -p "$root/data"
  chroot "$root" chown redis:redis /data
  chmod 0755 "$root/usr/local/bin/docker-entrypoint.sh"
}
