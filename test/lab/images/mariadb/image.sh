# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/mariadb:10.11 — Debian bookworm's mariadb-server with the official `mariadb`
# image's contract (MARIADB_*/MYSQL_* variables, /docker-entrypoint-initdb.d, /etc/mysql/conf.d,
# healthcheck.sh, mariadbd as user mysql, mariadb-backup). Sourced by build-images.sh, and by
# mariadb-11.8/image.sh, which changes the suite, tag and series.
MARIADB_IMAGE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MARIADB_SERIES=10.11
PACKAGES=(mariadb-server mariadb-client mariadb-backup tzdata xz-utils zstd)
TAGS=(stack-wizard-lab/mariadb:10.11)
CHANGES=(
  'ENTRYPOINT ["docker-entrypoint.sh"]'
  'CMD ["mariadbd"]'
  'EXPOSE 3306'
  'VOLUME /var/lib/mysql'
  'ENV LANG=C.UTF-8'
)

customize() {
  local root=$1 version
  version=$(chroot "$root" dpkg-query -W -f '${Version}' mariadb-server)
  # The tag promises a series: fail the build rather than ship a different one under that name.
  case $version in "1:$MARIADB_SERIES".*) ;; *) echo "mariadb-server is $version, not $MARIADB_SERIES" >&2; return 1 ;; esac
  # Installed, not run: it needs /proc, which the chroot lacks (the lab test runs it).
  [ -x "$root/usr/bin/mariadb-backup" ] || { echo "mariadb-backup is missing" >&2; return 1; }
  # The shared entrypoint and healthcheck (a no-op for this folder's own build, which copied them).
  cp -r --preserve=mode "$MARIADB_IMAGE_DIR/rootfs/." "$root/"
  CHANGES+=("ENV MARIADB_VERSION=$version")
  # No database in the image: the entrypoint initializes the volume on first start.
  rm -rf "$root/var/lib/mysql"
  mkdir -p "$root/var/lib/mysql" "$root/run/mysqld" "$root/docker-entrypoint-initdb.d"
  chroot "$root" chown -R mysql:mysql /var/lib/mysql /run/mysqld
  # Writable whatever uid the server ends up with (socket and pid file live here).
  chmod 777 "$root/run/mysqld"
  # Debian's cnf binds to 127.0.0.1 and sets user/log paths; a container listens on all interfaces
  # and logs to stderr, as the official image does.
  find "$root/etc/mysql" -name '*.cnf' -exec sed -Ei 's/^(bind-address|log|user\s)/#&/' {} +
  # Containers are reached by name; reverse lookups only slow connections down.
  printf '[mariadb]\nhost-cache-size=0\nskip-name-resolve\n' >"$root/etc/mysql/mariadb.conf.d/05-skipcache.cnf"
  # /etc/mysql/conf.d (the documented mount point) must be read last, so a mounted file wins.
  sed -i -e '/includedir/ {N;s/\(.*\)\n\(.*\)/\n\2\n\1/}' "$root/etc/mysql/mariadb.cnf"
  local debian_dir conf_dir
  debian_dir=$(grep -n '^!includedir /etc/mysql/mariadb.conf.d' "$root/etc/mysql/mariadb.cnf" | cut -d: -f1)
  conf_dir=$(grep -n '^!includedir /etc/mysql/conf.d' "$root/etc/mysql/mariadb.cnf" | cut -d: -f1)
  [ -n "$debian_dir" ] && [ -n "$conf_dir" ] && [ "$conf_dir" -gt "$debian_dir" ] \
    || { echo "/etc/mysql/conf.d is not read last in mariadb.cnf" >&2; return 1; }
  chmod 0755 "$root/usr/local/bin/docker-entrypoint.sh" "$root/usr/local/bin/healthcheck.sh"
}
