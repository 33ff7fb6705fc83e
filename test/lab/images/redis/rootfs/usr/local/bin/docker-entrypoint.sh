#!/bin/sh
# Entrypoint with the official redis image's behaviour: options or a *.conf as the first argument
# mean redis-server; started as root, it hands /data to user redis and re-runs itself as redis.
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

if [ "$1" = redis-server ]; then
  # The official image compiles protected-mode off (a container is reached over its network);
  # Debian's build keeps the upstream default (on). Supply the image's default unless the
  # config file or the arguments choose.
  chosen=
  for a in "$@"; do [ "$a" = --protected-mode ] && chosen=1; done
  case ${2:-} in
    -* | '') ;;
    *) if [ -r "$2" ] && grep -Eqi '^[[:space:]]*protected-mode[[:space:]]' "$2"; then chosen=1; fi ;;
  esac
  [ -n "$chosen" ] || set -- "$@" --protected-mode no
fi

# Data files private to the redis user unless a umask was chosen.
if [ "$(umask)" = 0022 ]; then umask 0077; fi

exec "$@"
