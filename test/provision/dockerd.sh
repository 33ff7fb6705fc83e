#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock: installs docker.io when dockerd is
# missing and starts it in the background when it is not running (no systemd on a CI machine).
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
if ! command -v dockerd >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
log=/var/log/stack-wizard-test-dockerd.log
# setsid: the engine must outlive the test run that started it, and not get its signals.
setsid dockerd >"$log" 2>&1 < /dev/null &
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "dockerd did not start; last lines of $log:" >&2
tail -n 20 "$log" >&2
exit 1
