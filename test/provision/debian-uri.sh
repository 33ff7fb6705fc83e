#!/usr/bin/env bash
# Prints this machine's Debian archive URI, read from its own apt configuration (never hard-coded).
set -euo pipefail
uri=$( { for f in /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && sed -n 's|^[[:space:]]*URIs:[[:space:]]*\([^[:space:]]*\).*|\1|p' "$f"; done
         [ -f /etc/apt/sources.list ] && sed -n 's|^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*|\2|p' /etc/apt/sources.list
         true; } | grep -v -- '-security' | head -n 1 || true)
[ -n "$uri" ] || { echo "no Debian archive URI found in /etc/apt" >&2; exit 1; }
echo "${uri%/}"
