#!/bin/sh
# As the official nginx image: before starting nginx, run the executable scripts in
# /docker-entrypoint.d/ in name order (unless NGINX_ENTRYPOINT_QUIET_LOGS is set, say so).
set -e
say() { [ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$0: $*"; }

if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
  for f in $(find /docker-entrypoint.d/ -follow -type f -print | sort -V); do
    case $f in
      *.envsh)
        # shellcheck disable=SC1090
        if [ -x "$f" ]; then say "Sourcing $f"; . "$f"; else say "Ignoring $f, not executable"; fi ;;
      *.sh) if [ -x "$f" ]; then say "Launching $f"; "$f"; else say "Ignoring $f, not executable"; fi ;;
      *) say "Ignoring $f" ;;
    esac
  done
  say "Configuration complete; ready for start up"
fi

exec "$@"
