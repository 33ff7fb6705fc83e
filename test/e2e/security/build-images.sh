#!/usr/bin/env bash
# Minimal images for the security end-to-end test, built from Debian packages (DESIGN.md §9):
# mmdebstrap into a directory, a small customize step, `docker import`. Cached by a hash of this
# script: a rerun with nothing changed only inspects the images.
#   server  Debian 12 as a fresh VM: systemd, journald, sshd on 2222 (not the default), ufw,
#           fail2ban as Debian ships it (its stock sshd jail fails here: no /var/log/auth.log),
#           docker.io (storage driver vfs) with the Compose v2 plugin, this machine's Node.js. No python3-systemd and no
#           logrotate: the wizard must notice and install them. Their .debs wait in apt's cache (with
#           the package lists), so that install does not depend on reaching the mirror during the test.
#   web     Debian's nginx, run inside the server's own Docker engine as the stack's Nginx.
#   client  ssh, curl and nc: the operator and the attackers on the "Internet".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
LABEL=org.stack-wizard.sec-e2e.hash
[ "$(id -u)" -eq 0 ] || { echo "build-images: needs root (mmdebstrap)" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "build-images: mmdebstrap missing (test/provision/packages.sh)" >&2; exit 1; }
uri=$("$here/../../provision/debian-uri.sh")
node_bin=$(readlink -f "$(command -v node)")
compose=$(bash "$here/../../provision/compose-v2.sh")
hash=$( { sha256sum "$0" | cut -d' ' -f1; "$node_bin" --version; "$compose" version --short; } | sha256sum | cut -c1-16)

build() {
  local tag=$1 variant=$2 include=$3 cmd=$4; shift 4
  if [ "$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$tag" 2>/dev/null)" = "$hash" ]; then
    echo "$tag: cached"; return 0
  fi
  local root t0=$SECONDS
  root=$(mktemp -d /var/tmp/sw-sec-image.XXXXXX)
  trap 'rm -rf "$root"' RETURN
  mmdebstrap --quiet --mode=root --format=directory --variant="$variant" --include="$include" "$@" bookworm "$root" "$uri"
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*
  "customize_${tag//[^a-z]/_}" "$root"
  tar --numeric-owner -C "$root" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf - . \
    | docker import --change "LABEL $LABEL=$hash" --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change "$cmd" - "$tag" >/dev/null
  echo "$tag: built in $((SECONDS - t0))s"
}

customize_sw_sec_server_bookworm() {
  local root=$1
  install -m 0755 "$node_bin" "$root/usr/local/bin/node"
  # Where Debian's docker-compose package (trixie) puts the plugin.
  install -D -m 0755 "$compose" "$root/usr/libexec/docker/cli-plugins/docker-compose"
  echo 'Port 2222' > "$root/etc/ssh/sshd_config.d/10-port.conf"
  mkdir -p "$root/etc/docker" "$root/root/.ssh"
  chmod 0700 "$root/root/.ssh"
  # Overlay on overlay does not work; vfs does.
  echo '{ "storage-driver": "vfs" }' > "$root/etc/docker/daemon.json"
  # Consoles do not exist in a container.
  chroot "$root" systemctl mask getty@tty1.service serial-getty@console.service >/dev/null 2>&1 || true
  echo web-1 > "$root/etc/hostname"
}
customize_sw_sec_web_bookworm() {
  local root=$1
  rm -f "$root/etc/nginx/sites-enabled/default"
  # The stack's Nginx writes its logs into the bind-mounted folder, not to the console.
  rm -f "$root/var/log/nginx/"*
}
customize_sw_sec_client_bookworm() { :; }

# mmdebstrap runs each hook with the root directory as $1: the single quotes are meant.
# shellcheck disable=SC2016
build sw-sec/server:bookworm apt "systemd,systemd-sysv,dbus,libpam-systemd,openssh-server,ufw,iptables,fail2ban,docker.io,curl,procps,iproute2,ca-certificates,libstdc++6" 'CMD ["/sbin/init"]' \
  --skip=cleanup/apt/lists,cleanup/apt/cache \
  --customize-hook='chroot "$1" apt-get clean' \
  --customize-hook='chroot "$1" apt-get install -q -y --download-only --no-install-recommends python3-systemd logrotate >/dev/null'
build sw-sec/web:bookworm essential "nginx" 'CMD ["nginx", "-g", "daemon off;"]'
build sw-sec/client:bookworm essential "openssh-client,curl,netcat-openbsd,ca-certificates" 'CMD ["sleep", "infinity"]'
