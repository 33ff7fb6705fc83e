# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/nginx:1.26 — Debian trixie's nginx (1.26: the generated config uses `http2 on`,
# which needs >= 1.25.1; bookworm has 1.22) with the official `nginx` image's layout:
# /etc/nginx/nginx.conf (user nginx) including /etc/nginx/conf.d/*.conf, logs to stdout/stderr,
# /docker-entrypoint.d/*.sh run before `nginx -g 'daemon off;'`; curl for healthchecks.
# The engine's import cannot set STOPSIGNAL: SIGTERM (fast shutdown) stops it, not SIGQUIT.
# Sourced by build-images.sh, and by nginx-1.30/ and nginx-1.22/image.sh (other suite, tag, series).
NGINX_IMAGE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NGINX_SERIES=1.26
SUITE=trixie
PACKAGES=(nginx curl ca-certificates)
TAGS=(stack-wizard-lab/nginx:1.26)
CHANGES=(
  'ENTRYPOINT ["/docker-entrypoint.sh"]'
  'CMD ["nginx", "-g", "daemon off;"]'
  'EXPOSE 80'
)

customize() {
  local root=$1 version
  version=$(chroot "$root" dpkg-query -W -f '${Version}' nginx)
  case $version in "$NGINX_SERIES".*) ;; *) echo "nginx is $version, not $NGINX_SERIES" >&2; return 1 ;; esac
  # The shared files (a no-op for this folder's own build, which copied them).
  cp -r --preserve=mode "$NGINX_IMAGE_DIR/rootfs/." "$root/"
  CHANGES+=("ENV NGINX_VERSION=${version%%-*}")
  # The official image runs workers as `nginx`, uid/gid 101 there. Trixie's base has no
  # useradd (passwd is not essential any more), so the entries are written directly.
  if cut -d: -f3 "$root/etc/passwd" | grep -qx 101 || cut -d: -f3 "$root/etc/group" | grep -qx 101; then
    echo "uid/gid 101 is taken in the $SUITE base" >&2; return 1
  fi
  echo 'nginx:x:101:' >>"$root/etc/group"
  echo 'nginx:x:101:101:nginx user:/nonexistent:/usr/sbin/nologin' >>"$root/etc/passwd"
  if [ -f "$root/etc/shadow" ]; then echo 'nginx:!:::::::' >>"$root/etc/shadow"; fi
  # Debian's site layout is not the image's: only conf.d is read.
  rm -rf "$root/etc/nginx/sites-enabled" "$root/etc/nginx/sites-available"
  mkdir -p "$root/usr/share/nginx/html" "$root/var/cache/nginx"
  # The official image keeps its temporary folders (client bodies, proxy buffers) in /var/cache/nginx,
  # where the generated stack mounts a tmpfs under a read-only root (#15.8); Debian's build says
  # /var/lib/nginx, so that points there.
  rm -rf "$root/var/lib/nginx"
  ln -s /var/cache/nginx "$root/var/lib/nginx"
  [ -f "$root/usr/share/nginx/html/index.html" ] || echo '<h1>Welcome to nginx!</h1>' >"$root/usr/share/nginx/html/index.html"
  ln -sf /dev/stdout "$root/var/log/nginx/access.log"
  ln -sf /dev/stderr "$root/var/log/nginx/error.log"
  chmod 0755 "$root/docker-entrypoint.sh"
}
