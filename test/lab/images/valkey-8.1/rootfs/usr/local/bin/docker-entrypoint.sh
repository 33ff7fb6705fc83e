#!/bin/sh
# Entrypoint with the official valkey/valkey image's behaviour: options or a *.conf as the first
# argument mean valkey-server; started as root, it hands /data to user valkey and re-runs itself as
# valkey; VALKEY_EXTRA_FLAGS are appended to the command.
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- valkey-server "$@"
fi

if [ "$1" = valkey-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user valkey -exec chown valkey '{}' +
  exec setpriv --reuid=valkey --regid=valkey --clear-groups -- "$0" "$@"
fi

if [ "$1" = valkey-server ]; then
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

# Data files private to the valkey user unless a umask was chosen.
if [ "$(umask)" = 0022 ]; then umask 0077; fi

# shellcheck disable=SC2086  # word-split on purpose, as the official image does
exec "$@" $VALKEY_EXTRA_FLAGS
