#!/bin/bash
# healthcheck.sh with the interface of the official mariadb image's script. Arguments run in order;
# the first failing test exits 1. Tests: --connect, --innodb_initialized, --innodb_buffer_pool_loaded,
# --mariadbupgrade. Options: --su=USER / --su USER / --su-mysql (rerun as that user), --datadir=DIR,
# --no-defaults, --defaults-file=F, --defaults-extra-file=F, --defaults-group-suffix=S, --no-connect.
# Credentials default to $datadir/.my-healthcheck.cnf, written by the entrypoint at init.
# A run that did not pass --connect still ends with the connect test: the temporary init server
# (--skip-networking) must never count as healthy.
set -eo pipefail

datadir=/var/lib/mysql
nodefaults=
declare -A def=()
connect_s=

client() {
  mariadb ${nodefaults:+--no-defaults} \
    ${def[file]:+--defaults-file=${def[file]}} \
    ${def[extra_file]:+--defaults-extra-file=${def[extra_file]}} \
    ${def[group_suffix]:+--defaults-group-suffix=${def[group_suffix]}} "$@"
}
query() { client --protocol socket -B --skip-column-names -e "$1"; }

# Up means the final server: skip_networking=0. Over the socket first; if that cannot even
# authenticate, TCP decides (a refused connection is down, an access error is up).
connect() {
  local s
  s=$(query 'select @@skip_networking' 2>/dev/null || true)
  case $s in 0 | 1) connect_s=$s; return "$s" ;; esac
  s=$(client -h localhost --protocol tcp --skip-column-names --batch --skip-print-query-on-error \
    -e 'select @@skip_networking' 2>&1 || true)
  case $s in
    0 | "ERROR 1820 (HY000)"* | "ERROR 4151 (HY000)"* | "ERROR 1226 (42000)"* | ERROR\ 1[0-9][0-9][0-9]\ \(28000\)*) connect_s=0 ;;
    1 | "ERROR 2002 (HY000)"*) connect_s=1 ;;
    *) echo "Unknown error $s" >&2; connect_s=1 ;;
  esac
  return "$connect_s"
}

innodb_initialized() {
  [ "$(query "select 1 from information_schema.ENGINES where engine='innodb' and support in ('YES', 'DEFAULT', 'ENABLED')")" = 1 ]
}

innodb_buffer_pool_loaded() {
  [[ $(query "select VARIABLE_VALUE from information_schema.GLOBAL_STATUS where VARIABLE_NAME='Innodb_buffer_pool_load_status'") =~ 'load completed' ]]
}

# mariadb-upgrade holds a lock on this file while it runs (mariadb_upgrade_info from 11.0 on).
mariadbupgrade() {
  local f="$datadir/mariadb_upgrade_info"
  [ -e "$f" ] || f="$datadir/mysql_upgrade_info"
  if [ -r "$f" ]; then flock --exclusive --nonblock 9 9<"$f"; fi
}

[ $# -gt 0 ] || { echo "At least one argument required" >&2; exit 1; }
[ -f "$datadir/.my-healthcheck.cnf" ] && def[extra_file]=$datadir/.my-healthcheck.cnf

while [ $# -gt 0 ]; do
  test=
  case $1 in
    --su=*) u=${1#*=}; shift; exec setpriv --reuid="$u" --regid="$u" --init-groups "${BASH_SOURCE[0]}" "$@" ;;
    --su) u=$2; shift 2; exec setpriv --reuid="$u" --regid="$u" --init-groups "${BASH_SOURCE[0]}" "$@" ;;
    --su-mysql) shift; exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@" ;;
    --datadir=*)
      datadir=${1#*=}
      if [ -f "$datadir/.my-healthcheck.cnf" ]; then def[extra_file]=$datadir/.my-healthcheck.cnf; fi ;;
    --no-defaults) def=(); nodefaults=1 ;;
    --defaults-file=* | --defaults-extra-file=* | --defaults-group-suffix=*)
      n=${1#--defaults-}; n=${n%%=*}; def[${n//-/_}]=${1#*=}; nodefaults= ;;
    --no-connect) connect_s=0 ;;
    --*) test=${1#--} ;;
    *) echo "Unknown healthcheck option $1" >&2; exit 1 ;;
  esac
  if [ -n "$test" ]; then
    case $test in
      connect | innodb_initialized | innodb_buffer_pool_loaded | mariadbupgrade) ;;
      *) echo "healthcheck unknown option or test '$test'" >&2; exit 1 ;;
    esac
    if ! "$test"; then echo "healthcheck $test failed" >&2; exit 1; fi
  fi
  shift
done

if [ "$connect_s" != 0 ]; then
  connect
  exit $?
fi
