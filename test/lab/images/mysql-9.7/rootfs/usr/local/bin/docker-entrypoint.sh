#!/bin/bash
# Entrypoint giving Debian's mysql-server the official `mysql` image's contract:
# - MYSQL_ROOT_PASSWORD | MYSQL_ALLOW_EMPTY_PASSWORD | MYSQL_RANDOM_ROOT_PASSWORD, MYSQL_ROOT_HOST
#   (default %), MYSQL_DATABASE, MYSQL_USER + MYSQL_PASSWORD, MYSQL_ONETIME_PASSWORD,
#   MYSQL_INITDB_SKIP_TZINFO; VAR_FILE for Docker secrets.
# - first start: mysqld --initialize-insecure, a temporary server with --skip-networking (TCP
#   clients and healthchecks see nothing until init is done), time zones, users,
#   /docker-entrypoint-initdb.d/*.{sh,sql,sql.bz2,sql.gz,sql.xz,sql.zst}; later starts go straight on.
# - the server runs as user mysql. Values are quoted for SQL here (the official script does not).
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

want_help() {
  local arg
  for arg; do case $arg in -'?' | --help | --print-defaults | -V | --version) return 0 ;; esac; done
  return 1
}

# mysqld --verbose --help needs a writable binlog index path (docker-library/mysql#136).
help_args=(--verbose --help --log-bin-index="$(mktemp -u)")

check_config() {
  local errors
  if ! errors=$("$@" "${help_args[@]}" 2>&1 >/dev/null); then
    die "mysqld failed while checking its configuration: $* --verbose --help"$'\n'"$errors"
  fi
}

# A value as the server sees it (defaults included), e.g. `datadir`.
get_config() {
  local name=$1; shift
  "$@" "${help_args[@]}" 2>/dev/null | awk -v n="$name" '$1 == n && /^[^ \t]/ { sub(/^[^ \t]+[ \t]+/, ""); print; exit }'
}

setup_env() {
  DATADIR=$(get_config datadir "$@")
  SOCKET=$(get_config socket "$@")
  file_env MYSQL_ROOT_HOST '%'
  file_env MYSQL_DATABASE
  file_env MYSQL_USER
  file_env MYSQL_PASSWORD
  file_env MYSQL_ROOT_PASSWORD
  DATABASE_ALREADY_EXISTS=
  if [ -d "$DATADIR/mysql" ]; then DATABASE_ALREADY_EXISTS=true; fi
}

# The data, socket and file directories the configuration names, owned by mysql.
create_dirs() {
  local dirs=("$DATADIR" "${SOCKET%/*}") conf dir
  for conf in general-log-file keyring_file_data pid-file secure-file-priv slow-query-log-file; do
    dir=$(get_config "$conf" "$@")
    if [ -z "$dir" ] || [ "$dir" = NULL ]; then continue; fi
    [ "$conf" = secure-file-priv ] || dir=${dir%/*}
    dirs+=("$dir")
  done
  mkdir -p "${dirs[@]}"
  if [ "$(id -u)" = 0 ]; then
    # Fewer writes than chown -R on a big data directory.
    find "${dirs[@]}" \! -user mysql -exec chown --no-dereference mysql '{}' +
  fi
}

verify_minimum_env() {
  if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "$MYSQL_ALLOW_EMPTY_PASSWORD" ] && [ -z "$MYSQL_RANDOM_ROOT_PASSWORD" ]; then
    die $'Database is uninitialized and password option is not specified\n\tYou need to specify one of the following as an environment variable:\n\t- MYSQL_ROOT_PASSWORD\n\t- MYSQL_ALLOW_EMPTY_PASSWORD\n\t- MYSQL_RANDOM_ROOT_PASSWORD'
  fi
  if [ "$MYSQL_USER" = root ]; then
    die 'MYSQL_USER="root", MYSQL_USER and MYSQL_PASSWORD are for configuring a regular user and cannot be used for the root user'
  fi
  if [ -n "$MYSQL_USER" ] && [ -z "$MYSQL_PASSWORD" ]; then
    warn 'MYSQL_USER specified, but missing MYSQL_PASSWORD; MYSQL_USER will not be created'
  elif [ -z "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
    warn 'MYSQL_PASSWORD specified, but missing MYSQL_USER; MYSQL_PASSWORD will be ignored'
  fi
}

# The root password reaches the client through a file on a pipe, never the command line.
passfile() {
  if [ "${1:-}" != --no-root-password ] && [ -n "$MYSQL_ROOT_PASSWORD" ]; then
    # Option-file value: only the backslash is special inside "..." (checked by the lab test).
    printf '[client]\npassword="%s"\n' "${MYSQL_ROOT_PASSWORD//\\/\\\\}"
  fi
}

# The client as root over the socket; the database named in MYSQL_DATABASE unless overridden.
sql() {
  local pass_args=()
  if [ "${1:-}" = --no-root-password ]; then pass_args=(--no-root-password); shift; fi
  mysql --defaults-extra-file=<(passfile "${pass_args[@]}") --protocol=socket -uroot -hlocalhost \
    --socket="$SOCKET" --comments ${MYSQL_DATABASE:+--database="$MYSQL_DATABASE"} "$@"
}

# A string safe inside '...' in SQL: backslash and quote escaped.
sql_escape() {
  local s=${1//\\/\\\\}
  s=${s//$'\n'/\\n}
  printf '%s' "${s//\'/\\\'}"
}

temp_server_start() {
  # mysqld returns once the server accepts connections (--daemonize).
  "$@" --daemonize --skip-networking --default-time-zone=SYSTEM --socket="$SOCKET" || die "Unable to start server."
}

temp_server_stop() {
  mysqladmin --defaults-extra-file=<(passfile) shutdown -uroot --socket="$SOCKET" || die "Unable to shut down server."
}

setup_db() {
  if [ -z "${MYSQL_INITDB_SKIP_TZINFO:-}" ]; then
    # sed: https://bugs.mysql.com/bug.php?id=20545
    mysql_tzinfo_to_sql /usr/share/zoneinfo | sed 's/Local time zone must be set--see zic manual page/FCTY/' \
      | sql --no-root-password --database=mysql
  fi
  if [ -n "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
    MYSQL_ROOT_PASSWORD=$(openssl rand -base64 24)
    export MYSQL_ROOT_PASSWORD
    note "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
  fi
  local pass host root_create=''
  pass=$(sql_escape "$MYSQL_ROOT_PASSWORD")
  host=$(sql_escape "$MYSQL_ROOT_HOST")
  if [ -n "$MYSQL_ROOT_HOST" ] && [ "$MYSQL_ROOT_HOST" != localhost ]; then
    root_create="CREATE USER 'root'@'$host' IDENTIFIED BY '$pass';
      GRANT ALL ON *.* TO 'root'@'$host' WITH GRANT OPTION;"
  fi
  sql --no-root-password --database=mysql <<-EOSQL
	SET autocommit = 1;
	SET @@SESSION.SQL_LOG_BIN = 0;
	ALTER USER 'root'@'localhost' IDENTIFIED BY '$pass';
	GRANT ALL ON *.* TO 'root'@'localhost' WITH GRANT OPTION;
	FLUSH PRIVILEGES;
	$root_create
	DROP DATABASE IF EXISTS test;
	EOSQL
  if [ -n "$MYSQL_DATABASE" ]; then
    note "Creating database $MYSQL_DATABASE"
    sql --database=mysql <<<"CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
  fi
  if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
    note "Creating user $MYSQL_USER"
    sql --database=mysql <<<"CREATE USER '$(sql_escape "$MYSQL_USER")'@'%' IDENTIFIED BY '$(sql_escape "$MYSQL_PASSWORD")';"
    if [ -n "$MYSQL_DATABASE" ]; then
      note "Giving user $MYSQL_USER access to schema $MYSQL_DATABASE"
      sql --database=mysql <<<"GRANT ALL ON \`${MYSQL_DATABASE//_/\\_}\`.* TO '$(sql_escape "$MYSQL_USER")'@'%';"
    fi
  fi
}

process_init_files() {
  local f
  for f; do
    case $f in
      *.sh)
        # shellcheck disable=SC1090
        if [ -x "$f" ]; then note "$0: running $f"; "$f"; else note "$0: sourcing $f"; . "$f"; fi ;;
      *.sql) note "$0: running $f"; sql <"$f" ;;
      *.sql.bz2) note "$0: running $f"; bunzip2 -c "$f" | sql ;;
      *.sql.gz) note "$0: running $f"; gunzip -c "$f" | sql ;;
      *.sql.xz) note "$0: running $f"; xzcat "$f" | sql ;;
      *.sql.zst) note "$0: running $f"; zstd -dc "$f" | sql ;;
      *) warn "$0: ignoring $f" ;;
    esac
  done
}

init_database() {
  ls /docker-entrypoint-initdb.d/ >/dev/null
  note "Initializing database files"
  "$@" --initialize-insecure --default-time-zone=SYSTEM
  note "Database files initialized"
  note "Starting temporary server"
  temp_server_start "$@"
  note "Temporary server started."
  setup_db
  process_init_files /docker-entrypoint-initdb.d/*
  if [ -n "${MYSQL_ONETIME_PASSWORD:-}" ]; then
    sql --database=mysql <<<"ALTER USER 'root'@'%' PASSWORD EXPIRE;"
  fi
  note "Stopping temporary server"
  temp_server_stop
  note "Temporary server stopped"
  echo
  note "MySQL init process done. Ready for start up."
  echo
}

main() {
  if [ "${1:0:1}" = - ]; then set -- mysqld "$@"; fi
  if [ "$1" = mysqld ] && ! want_help "$@"; then
    note "Entrypoint script for MySQL Server ${MYSQL_VERSION:-} started."
    check_config "$@"
    setup_env "$@"
    create_dirs "$@"
    if [ "$(id -u)" = 0 ]; then
      note "Switching to dedicated user 'mysql'"
      exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
    fi
    if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
      verify_minimum_env
      init_database "$@"
    fi
  fi
  exec "$@"
}

main "$@"
