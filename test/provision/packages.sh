#!/usr/bin/env bash
# Installs the real programs the tests judge our output with (docs/TESTING.md#lab), when any is missing.
# Without root a missing program is an error: tests never skip silently.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
check() { have "$1" || need+=("$2"); }
check nginx nginx
check mariadbd mariadb-server
check mariadb mariadb-client
check redis-server redis-server
check fail2ban-client fail2ban
check ufw ufw
check shellcheck shellcheck
check openssl openssl
check tmux tmux
check ss iproute2
check runuser util-linux
check script bsdutils
check dockerd docker.io
check mmdebstrap mmdebstrap
check zstd zstd
check iptables iptables
check curl curl
check docker-registry docker-registry
# A static busybox: tiny test images FROM scratch (the dynamically linked busybox package would not run there).
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
check apt-ftparchive apt-utils
check gpg gnupg
check dpkg-deb dpkg
# Private network namespaces for the servers under test (ip brings their loopback up).
check ip iproute2
check nsenter util-linux
# The unit suite runs without network and with the host's state hidden (test/support/unit-sandbox.sh).
check unshare util-linux
# The Let's Encrypt renewal units: certbot's argv and systemd-analyze verify.
check certbot certbot
check systemd-analyze systemd
# The hostile-value tests (test/real/quoting-hostile.test.ts): logrotate -f and Debian's cron run what we render.
check logrotate logrotate
check cron cron
# A real MTA for the email notification channel (STARTTLS, TLS, AUTH): exim4, run with its own config.
check exim4 exim4-daemon-light
# The build-mirror files (pip.conf) are read by the real pip.
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing test programs (${need[*]}); install them as root: apt-get install ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps the packages' own services from starting: tests start what they need themselves.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
