# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/registry — Debian bookworm's docker-registry (Distribution 2.8) with the official
# `registry:2` image's contract: the command is a config file path (`registry serve` is added) or a
# registry subcommand; /etc/docker/registry/config.yml (also at /etc/distribution/config.yml, the
# registry:3 path) stores in /var/lib/registry and listens on :5000; every setting can be overridden
# by a REGISTRY_* variable (Distribution's own, e.g. REGISTRY_HTTP_ADDR, REGISTRY_PROXY_REMOTEURL,
# REGISTRY_AUTH_TOKEN_REALM, REGISTRY_STORAGE_DELETE_ENABLED). Runs as root, as the official image.
# For the mirror probe (#16) and private-registry (#20) tests. Sourced by build-images.sh.
PACKAGES=(docker-registry ca-certificates)
TAGS=(stack-wizard-lab/registry)
CHANGES=(
  'ENTRYPOINT ["/entrypoint.sh"]'
  'CMD ["/etc/docker/registry/config.yml"]'
  'EXPOSE 5000'
  'VOLUME /var/lib/registry'
)

customize() {
  local root=$1 version
  version=$(chroot "$root" dpkg-query -W -f '${Version}' docker-registry)
  case $version in 2.8.*) ;; *) echo "docker-registry is $version, not 2.8" >&2; return 1 ;; esac
  CHANGES+=("ENV REGISTRY_VERSION=${version%%+*}")
  # The official image's binary name.
  ln -sf /usr/bin/docker-registry "$root/usr/local/bin/registry"
  mkdir -p "$root/var/lib/registry" "$root/etc/distribution"
  ln -sf /etc/docker/registry/config.yml "$root/etc/distribution/config.yml"
  chmod 0755 "$root/entrypoint.sh"
}
