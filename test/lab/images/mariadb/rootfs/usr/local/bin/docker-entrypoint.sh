#!/bin/bash
# Entrypoint giving Debian's mariadb-server the official `mariadb` image's contract:
# - MARIADB_ROOT_PASSWORD | MARIADB_ALLOW_EMPTY_ROOT_PASSWORD | MARIADB_RANDOM_ROOT_PASSWORD |
#   MARIADB_ROOT_PASSWORD_HASH, MARIADB_ROOT_HOST, MARIADB_DATABASE, MARIADB_USER,
#   MARIADB_PASSWORD(_HASH), MARIADB_INITDB_SKIP_TZINFO, MARIADB_AUTO_UPGRADE,
#   MARIADB_DISABLE_UPGRADE_BACKUP; the MYSQL_* names as aliases; VAR_FILE for Docker secrets.
# - first start: mariadb-install-db, a temporary server with --skip-networking (so TCP clients
#   and healthchecks see nothing until init is done), /docker-entrypoint-initdb.d/*.{sh,sql,sql.gz,
#   sql.xz,sql.zst}, a `healthcheck` user written to $DATADIR/.my-healthcheck.cnf.
# - later starts: mariadb-upgrade when the data is older than the server and MARIADB_AUTO_UPGRADE is set.
# - the server runs as user mysql. Not supported: replication variables, init from a backup tarball.
set -eo pipefail
shopt -s nullglob

log() { printf '%s [%s] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$1" "${*:2}"; }
note() { log Note "$@"; }
warn() { log Warn "$@" >&2; }
die() { log ERROR "$@" >&2; exit 1; }

# VAR from $VAR or the file named by $VAR_FILE (never both); DEFAULT otherwise.
file_env() {
  local var=$1 file_var="${1}_FILE" def=${2:-} val
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then die "Both $var and $file_var are set (but are exclusive)"; fi
  val=$def
  if [ -n "${!var:-}" ]; then val=${!var}; elif [ -n "${!file_var:-}" ]; then val=$(<"${!file_var}"); fi
  export "$var=$val"
  unset "$file_var"
}

# MARIADB_X, falling back to MYSQL_X; afterwards both names hold the same value.
alias_env() {
  local my="MYSQL_$1" maria="MARIADB_$1"
  file_env "$my" "${2:-}"
  file_env "$maria" "${!my}"
  export "$my=${!maria}"
}

want_help() {
  local arg
  for arg; do case $arg in -'?' | --help | --print-defaults | -V | --version) return 0 ;; esac; done
  return 1
}

check_config() {
  local errors
  if ! errors=$("$@" --verbose --help 2>&1 >/dev/null); then
    die "mariadbd failed while checking its configuration: $* --verbose --help"$'\n'"$errors"
  fi
}

# A value as the server sees it (defaults included), e.g. `datadir`.
get_config() {
  local name=$1; shift
  "$@" --verbose --help 2>/dev/null | awk -v n="$name" '$1 == n && /^[^ \t]/ { sub(/^[^ \t]+[ \t]+/, ""); print; exit }'
}

setup_env() {
  DATADIR=$(get_config datadir "$@")
  SOCKET=$(get_config socket "$@")
  PORT=$(get_config port "$@")
  alias_env ROOT_HOST '%'
  alias_env DATABASE
  alias_env USER
  alias_env PASSWORD
  alias_env ROOT_PASSWORD
  file_env MARIADB_PASSWORD_HASH
  file_env MARIADB_ROOT_PASSWORD_HASH
  : "${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:=${MYSQL_ALLOW_EMPTY_PASSWORD:-}}"
  : "${MARIADB_RANDOM_ROOT_PASSWORD:=${MYSQL_RANDOM_ROOT_PASSWORD:-}}"
  : "${MARIADB_INITDB_SKIP_TZINFO:=${MYSQL_INITDB_SKIP_TZINFO:-}}"
  export MARIADB_ALLOW_EMPTY_ROOT_PASSWORD MARIADB_RANDOM_ROOT_PASSWORD MARIADB_INITDB_SKIP_TZINFO
  export MYSQL_ALLOW_EMPTY_PASSWORD=$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD
  export MYSQL_RANDOM_ROOT_PASSWORD=$MARIADB_RANDOM_ROOT_PASSWORD
  export MYSQL_INITDB_SKIP_TZINFO=$MARIADB_INITDB_SKIP_TZINFO
  DATABASE_ALREADY_EXISTS=
  if [ -d "$DATADIR/mysql" ]; then DATABASE_ALREADY_EXISTS=true; fi
}

create_dirs() {
  mkdir -p "$DATADIR"
  if [ "$(id -u)" = 0 ]; then
    # Fewer writes than chown -R on a big data directory.
    find "$DATADIR" \! -user mysql -exec chown mysql: '{}' +
    find "${SOCKET%/*}" -maxdepth 0 \! -user mysql -exec chown mysql: '{}' \;
  fi
}

verify_minimum_env() {
  if [ -z "$MARIADB_ROOT_PASSWORD" ] && [ -z "$MARIADB_ROOT_PASSWORD_HASH" ] \
    && [ -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ] && [ -z "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
    die $'Database is uninitialized and password option is not specified\n\tYou need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD_HASH, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD'
  fi
  if [ -n "$MARIADB_PASSWORD" ] && [ -n "$MARIADB_PASSWORD_HASH" ]; then
    die "Cannot specify MARIADB_PASSWORD_HASH and MARIADB_PASSWORD option."
  fi
}

# The client as root over the socket; the database named in MARIADB_DATABASE unless overridden.
sql() {
  local pass=$MARIADB_ROOT_PASSWORD
  if [ "$1" = --no-root-password ]; then pass=; shift; fi
  MYSQL_PWD=$pass mariadb --protocol=socket -uroot -hlocalhost --socket="$SOCKET" \
    ${MARIADB_DATABASE:+--database="$MARIADB_DATABASE"} "$@"
}

# A string safe inside '...' in SQL: backslash and quote escaped.
sql_escape() {
  local s=${1//\\/\\\\}
  s=${s//$'\n'/\\n}
  printf '%s' "${s//\'/\\\'}"
}

random_password() {
  local p
  p=$(head -c 48 /dev/urandom | base64 -w0 | tr -d '/+=')
  printf '%s' "${p:0:32}"
}

temp_server_start() {
  "$@" --skip-networking --default-time-zone=SYSTEM --socket="$SOCKET" --wsrep_on=OFF \
    --expire-logs-days=0 --loose-innodb_buffer_pool_load_at_startup=0 &
  TEMP_PID=$!
  note "Waiting for server startup"
  local extra=()
  # Before init the root password is not set yet.
  [ -n "$DATABASE_ALREADY_EXISTS" ] || extra=(--no-root-password)
  for _ in {1..30}; do
    if sql "${extra[@]}" --database=mysql <<<'SELECT 1' &>/dev/null; then return 0; fi
    kill -0 "$TEMP_PID" 2>/dev/null || die "Unable to start server (it exited)."
    sleep 1
  done
  die "Unable to start server."
}

temp_server_stop() {
  kill "$TEMP_PID"
  wait "$TEMP_PID"
}

# SQL creating the healthcheck users (same random password for each host) and their client file.
healthcheck_users_sql() {
  local pass grant=${MARIADB_HEALTHCHECK_GRANTS:-USAGE} host esc
  pass=$(random_password)
  esc=$(sql_escape "$pass")
  for host in 127.0.0.1 ::1 localhost; do
    echo "CREATE USER IF NOT EXISTS healthcheck@'$host' IDENTIFIED BY '$esc';"
    echo "SET PASSWORD FOR healthcheck@'$host' = PASSWORD('$esc');"
    echo "GRANT $grant ON *.* TO healthcheck@'$host';"
  done
  (umask 0077 && printf '[mariadb-client]\nport=%s\nsocket=%s\nuser=healthcheck\npassword=%s\nprotocol=tcp\n' \
    "$PORT" "$SOCKET" "$pass" >"$DATADIR/.my-healthcheck.cnf")
}

setup_db() {
  if [ -z "$MARIADB_INITDB_SKIP_TZINFO" ]; then
    mariadb-tzinfo-to-sql --skip-write-binlog /usr/share/zoneinfo | sql --no-root-password --database=mysql
  fi
  if [ -n "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
    MARIADB_ROOT_PASSWORD=$(random_password)
    export MARIADB_ROOT_PASSWORD MYSQL_ROOT_PASSWORD=$MARIADB_ROOT_PASSWORD
    note "GENERATED ROOT PASSWORD: $MARIADB_ROOT_PASSWORD"
  fi
  local root_pass root_auth root_create='' root_localhost='' create_db='' create_user='' grants='' healthcheck
  root_pass=$(sql_escape "$MARIADB_ROOT_PASSWORD")
  if [ -n "$MARIADB_ROOT_PASSWORD_HASH" ]; then
    root_auth="IDENTIFIED BY PASSWORD '$MARIADB_ROOT_PASSWORD_HASH'"
  else
    root_auth="IDENTIFIED BY '$root_pass'"
    root_localhost="SET PASSWORD FOR 'root'@'localhost' = PASSWORD('$root_pass');"
  fi
  if [ -n "$MARIADB_ROOT_HOST" ] && [ "$MARIADB_ROOT_HOST" != localhost ]; then
    root_create="CREATE USER 'root'@'$MARIADB_ROOT_HOST' $root_auth;
      GRANT ALL ON *.* TO 'root'@'$MARIADB_ROOT_HOST' WITH GRANT OPTION;
      GRANT PROXY ON ''@'%' TO 'root'@'$MARIADB_ROOT_HOST' WITH GRANT OPTION;"
  fi
  healthcheck=$(healthcheck_users_sql)
  if [ -n "$MARIADB_DATABASE" ]; then
    note "Creating database $MARIADB_DATABASE"
    create_db="CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"
  fi
  if [ -n "$MARIADB_USER" ] && { [ -n "$MARIADB_PASSWORD" ] || [ -n "$MARIADB_PASSWORD_HASH" ]; }; then
    note "Creating user $MARIADB_USER"
    if [ -n "$MARIADB_PASSWORD_HASH" ]; then
      create_user="CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY PASSWORD '$MARIADB_PASSWORD_HASH';"
    else
      create_user="CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY '$(sql_escape "$MARIADB_PASSWORD")';"
    fi
    if [ -n "$MARIADB_DATABASE" ]; then
      note "Giving user $MARIADB_USER access to schema $MARIADB_DATABASE"
      grants="GRANT ALL ON \`${MARIADB_DATABASE//_/\\_}\`.* TO '$MARIADB_USER'@'%';"
    fi
  fi
  note "Securing system users (equivalent to running mysql_secure_installation)"
  sql --no-root-password --database=mysql --binary-mode <<-EOSQL
	SET @orig_sql_log_bin = @@SESSION.SQL_LOG_BIN;
	SET @@SESSION.SQL_LOG_BIN = 0;
	SET @@SESSION.SQL_MODE = REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');
	DROP USER IF EXISTS root@'127.0.0.1', root@'::1';
	EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\'', @@hostname, '\'');
	$root_localhost
	$root_create
	$healthcheck
	SET @@SESSION.SQL_LOG_BIN = @orig_sql_log_bin;
	$create_db
	$create_user
	$grants
	EOSQL
}

process_init_files() {
  local f
  for f; do
    case $f in
      *.sh)
        # shellcheck disable=SC1090
        if [ -x "$f" ]; then note "$0: running $f"; "$f"; else note "$0: sourcing $f"; . "$f"; fi ;;
      *.sql) note "$0: running $f"; sql <"$f" ;;
      *.sql.gz) note "$0: running $f"; gunzip -c "$f" | sql ;;
      *.sql.xz) note "$0: running $f"; xzcat "$f" | sql ;;
      *.sql.zst) note "$0: running $f"; zstd -dc "$f" | sql ;;
      *) warn "$0: ignoring $f" ;;
    esac
  done
}

# "10.11" from the server binary, e.g. "mariadbd  Ver 10.11.6-MariaDB-0+deb12u1 for ...".
server_version() { mariadbd --version | sed -n 's/.* Ver \([0-9][0-9.]*\)-.*/\1/p'; }
# Where mariadb-upgrade records the version of the system tables: renamed in 11.0 (MDEV-30498).
UPGRADE_INFO=mysql_upgrade_info
if [ "$(server_version | cut -d. -f1)" -ge 11 ]; then UPGRADE_INFO=mariadb_upgrade_info; fi

init_database() {
  ls /docker-entrypoint-initdb.d/ >/dev/null
  note "Initializing database files"
  mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal "${@:2}" \
    --skip-test-db --old-mode='UTF8_IS_UTF8MB3' --default-time-zone=SYSTEM --enforce-storage-engine= \
    --skip-log-bin --expire-logs-days=0 \
    --loose-innodb_buffer_pool_load_at_startup=0 --loose-innodb_buffer_pool_dump_at_shutdown=0
  note "Database files initialized"
  note "Starting temporary server"
  temp_server_start "$@"
  note "Temporary server started."
  setup_db
  process_init_files /docker-entrypoint-initdb.d/*
  if [ -n "$MARIADB_ROOT_PASSWORD_HASH" ]; then
    note "Setting root@localhost password hash"
    sql --no-root-password --binary-mode <<<"SET @@SESSION.SQL_LOG_BIN=0; SET PASSWORD FOR 'root'@'localhost' = '$MARIADB_ROOT_PASSWORD_HASH';"
  fi
  # Fresh system tables are current: record it so the next start does not run mariadb-upgrade.
  printf '%s-MariaDB\n' "$(server_version)" >"$DATADIR/$UPGRADE_INFO"
  note "Stopping temporary server"
  temp_server_stop
  note "Temporary server stopped"
  echo
  note "MariaDB init process done. Ready for start up."
  echo
}

# The system tables are older than the server (or their version is unknown).
version_upgrade_needed() {
  if [ ! -f "$DATADIR/$UPGRADE_INFO" ]; then
    note "MariaDB upgrade information missing, assuming required"
    return 0
  fi
  local old new
  IFS='.-' read -ra old <"$DATADIR/$UPGRADE_INFO" || true
  IFS='.-' read -ra new <<<"$(server_version)"
  [ ${#old[@]} -lt 2 ] || [ ${#new[@]} -lt 2 ] || [ "${old[0]}" -lt "${new[0]}" ] \
    || { [ "${old[0]}" -eq "${new[0]}" ] && [ "${old[1]}" -lt "${new[1]}" ]; }
}

upgrade_needed() {
  version_upgrade_needed && return 0
  if [ ! -f "$DATADIR/.my-healthcheck.cnf" ]; then
    note "MariaDB healthcheck configuration file missing, assuming desirable"
    return 0
  fi
  note "MariaDB upgrade not required"
  return 1
}

upgrade() {
  if [ -z "$MARIADB_AUTO_UPGRADE" ] || [ "$MARIADB_AUTO_UPGRADE" = 0 ]; then
    note "MariaDB upgrade (mariadb-upgrade or creating healthcheck users) required, but skipped due to \$MARIADB_AUTO_UPGRADE setting"
    return 0
  fi
  local temp_args=(--skip-grant-tables --loose-innodb_buffer_pool_dump_at_shutdown=0 --skip-slave-start)
  note "Starting temporary server"
  temp_server_start "$@" "${temp_args[@]}"
  note "Temporary server started."
  if [ "${MARIADB_DISABLE_UPGRADE_BACKUP:-}" != 1 ]; then
    local prev=unknown_version
    if [ -r "$DATADIR/$UPGRADE_INFO" ]; then prev=$(<"$DATADIR/$UPGRADE_INFO"); fi
    note "Backing up system database to system_mysql_backup_$prev.sql.zst"
    mariadb-dump --skip-lock-tables --replace --databases mysql --socket="$SOCKET" \
      | zstd >"$DATADIR/system_mysql_backup_$prev.sql.zst" || die "Unable to back up the system database."
  fi
  if [ ! -f "$DATADIR/.my-healthcheck.cnf" ]; then
    note "Creating healthcheck users"
    sql --no-root-password --binary-mode --database=mysql <<-EOSQL
	SET @@SESSION.SQL_LOG_BIN = 0;
	SET @@SESSION.SQL_MODE = REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');
	FLUSH PRIVILEGES;
	$(healthcheck_users_sql)
	EOSQL
    note "Stopping temporary server"
    temp_server_stop
    note "Temporary server stopped"
    version_upgrade_needed || return 0
    # FLUSH PRIVILEGES switched the grant tables back on: a fresh skip-grant server for the upgrade.
    note "Restarting temporary server for upgrade"
    temp_server_start "$@" "${temp_args[@]}"
  fi
  note "Starting mariadb-upgrade"
  mariadb-upgrade --upgrade-system-tables --socket="$SOCKET"
  printf '%s-MariaDB\n' "$(server_version)" >"$DATADIR/$UPGRADE_INFO"
  note "Finished mariadb-upgrade"
  note "Stopping temporary server"
  temp_server_stop
  note "Temporary server stopped"
}

main() {
  if [ "${1:0:1}" = - ]; then set -- mariadbd "$@"; fi
  if { [ "$1" = mariadbd ] || [ "$1" = mysqld ]; } && ! want_help "$@"; then
    note "Entrypoint script for MariaDB Server ${MARIADB_VERSION:-} started."
    check_config "$@"
    setup_env "$@"
    create_dirs
    if [ "$(id -u)" = 0 ]; then
      note "Switching to dedicated user 'mysql'"
      exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
    fi
    if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
      verify_minimum_env
      init_database "$@"
    elif upgrade_needed; then
      upgrade "$@"
    fi
  fi
  exec "$@"
}

main "$@"
