# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/server:bookworm — a realistic Debian 12 server for end-to-end tests: systemd as
# PID 1, journald, sshd on port 2222 (not the default: the security code must find the real one),
# ufw, fail2ban (as Debian ships it: its sshd jail fails on a fresh Debian 12, which logs to the
# journal, not /var/log/auth.log — left so on purpose), docker.io with the Compose v2 plugin
# (daemon.json: storage driver overlay2, as a real Debian 12 has — the lab mounts a volume of the
# outer engine's own filesystem on /var/lib/docker, where overlayfs stacks, unlike on the
# container's own overlayfs; vfs copied every image per container, 10x slower here; the systemd cgroup driver,
# as on a real Debian 12, which also nests the inner containers' cgroups under the server's own, so
# memory limits hold and removing the server leaves nothing behind), curl, this machine's Node.js and
# npm (bookworm's nodejs 18 is older than the wizard's minimum 20.19; trixie's libnode115 needs
# libc6 >= 2.38, bookworm has 2.36).
# A user `ops` (sudo) exists; lab.ts sets passwords and SSH keys at start.
# Run it as lab.ts startServer() does (docs/TESTING.md#lab). Sourced by build-images.sh.
PACKAGES=(
  systemd systemd-sysv dbus libpam-systemd
  openssh-server sudo cron procps iproute2 less
  ufw iptables fail2ban python3-systemd python3-pyinotify whois
  docker.io xz-utils curl ca-certificates libstdc++6
)
TAGS=(stack-wizard-lab/server:bookworm)
CHANGES=(
  'CMD ["/sbin/init"]'
  'ENV container=docker LANG=C.UTF-8'
)

extra_inputs() {
  echo "node $("$LAB_NODE_BIN" --version)"
  echo "npm $(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$LAB_NPM_DIR/package.json" | head -n 1)"
  echo "compose $("$LAB_COMPOSE_PLUGIN" version --short)"
}

customize() {
  local root=$1
  install -m 0755 "$LAB_NODE_BIN" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$LAB_NPM_DIR" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  chroot "$root" node -e 'const [a, b] = process.versions.node.split(".").map(Number); if (a < 20 || (a === 20 && b < 19)) { console.error("node " + process.version + " < 20.19"); process.exit(1); }'
  chroot "$root" npm --version >/dev/null
  # Where Debian's docker-compose package (trixie) puts the plugin.
  install -D -m 0755 "$LAB_COMPOSE_PLUGIN" "$root/usr/libexec/docker/cli-plugins/docker-compose"
  chroot "$root" useradd --create-home --shell /bin/bash --groups sudo ops
  chmod 0644 "$root/etc/docker/daemon.json" "$root/etc/ssh/sshd_config.d/"*.conf
}
