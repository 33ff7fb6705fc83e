# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/mysql:9.7 — Debian sid's mysql-server (9.7 LTS; no Debian suite packages 8.4)
# with the official `mysql` image's contract: MYSQL_* variables (and *_FILE), the temporary
# --skip-networking server at first start, /docker-entrypoint-initdb.d, /etc/my.cnf as the
# official image's (socket in /var/run/mysqld, secure-file-priv /var/lib/mysql-files) reading
# /etc/mysql/conf.d/*.cnf last, mysqld as user mysql, mysql/mysqladmin/mysqldump/mysqlbinlog.
# Not here: MySQL Shell (mysqlsh: no Debian package). Sourced by build-images.sh.
SUITE=sid
# This machine's sid is a frozen snapshot past its Release file's Valid-Until date.
MMDEBSTRAP_ARGS=(--aptopt='Acquire::Check-Valid-Until "false"')
PACKAGES=(mysql-server mysql-client tzdata openssl bzip2 xz-utils zstd)
TAGS=(stack-wizard-lab/mysql:9.7)
CHANGES=(
  'ENTRYPOINT ["docker-entrypoint.sh"]'
  'CMD ["mysqld"]'
  'EXPOSE 3306 33060'
  'VOLUME /var/lib/mysql'
  'ENV LANG=C.UTF-8 MYSQL_MAJOR=9.7'
)

customize() {
  local root=$1 version
  version=$(chroot "$root" dpkg-query -W -f '${Version}' mysql-server-core)
  # The tag promises 9.7: fail the build rather than ship another series under that name.
  case $version in 9.7.*) ;; *) echo "mysql-server-core is $version, not 9.7" >&2; return 1 ;; esac
  CHANGES+=("ENV MYSQL_VERSION=${version%%-*}")
  [ -f "$root/usr/lib/mysql/plugin/mysql_clone.so" ] || { echo "the clone plugin (mysql_clone.so) is missing" >&2; return 1; }
  # No database in the image: the entrypoint initializes the volume on first start.
  rm -rf "$root/var/lib/mysql" "$root/var/log/mysql"
  # /var/run is an absolute symlink to /run: create through /run, never through the link (it would
  # resolve on this machine, outside the rootfs).
  mkdir -p "$root/var/lib/mysql" "$root/var/lib/mysql-files" "$root/run/mysqld" \
    "$root/etc/mysql/conf.d" "$root/docker-entrypoint-initdb.d"
  chroot "$root" chown mysql:mysql /var/lib/mysql /var/lib/mysql-files /run/mysqld
  # As the official image: any uid the container is started with can use these.
  chmod 1777 "$root/var/lib/mysql" "$root/run/mysqld"
  # The official image's only configuration is /etc/my.cnf, which ends by including conf.d; Debian's
  # chain (/etc/mysql/my.cnf -> mysql.cnf -> mysql.conf.d/mysqld.cnf) binds to 127.0.0.1 and logs to
  # a file. mysqld reads /etc/my.cnf first, then /etc/mysql/my.cnf: that one is emptied so conf.d
  # stays last and nothing of Debian's applies.
  cat >"$root/etc/my.cnf" <<'CNF'
# As the official mysql image's /etc/my.cnf.
[mysqld]
host-cache-size=0
skip-name-resolve
datadir=/var/lib/mysql
socket=/var/run/mysqld/mysqld.sock
secure-file-priv=/var/lib/mysql-files
user=mysql
pid-file=/var/run/mysqld/mysqld.pid

[client]
socket=/var/run/mysqld/mysqld.sock

!includedir /etc/mysql/conf.d/
CNF
  rm -f "$root/etc/mysql/my.cnf"
  printf '# Empty: the image reads /etc/my.cnf (the official layout), which includes /etc/mysql/conf.d/.\n' >"$root/etc/mysql/my.cnf"
  chmod 0755 "$root/usr/local/bin/docker-entrypoint.sh"
}
