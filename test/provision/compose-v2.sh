#!/usr/bin/env bash
# Installs the Docker Compose v2 CLI plugin from Debian trixie's docker-compose package (docs/TESTING.md#lab):
# bookworm only has Compose v1, and the trixie plugin binary needs nothing but libc.
# Usage: compose-v2.sh [DEST_DIR]   (default ~/.docker/cli-plugins). Prints the plugin path.
set -euo pipefail
dest=${1:-$HOME/.docker/cli-plugins}
if [ -x "$dest/docker-compose" ] && "$dest/docker-compose" version --short 2>/dev/null | grep -q '^v\?2\.'; then
  echo "$dest/docker-compose"; exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
uri=$("$here/debian-uri.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/parts"
printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" > "$work/parts/trixie.sources"
opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/parts" -o "Dir::State::Lists=$work/lists"
      -o "Dir::Cache::Archives=$work/archives" -o "APT::Sandbox::User=root")
apt-get "${opts[@]}" -qq update >&2
(cd "$work" && apt-get "${opts[@]}" -qq download docker-compose >&2)
deb=$(ls "$work"/docker-compose_*.deb | head -n 1)
dpkg-deb -x "$deb" "$work/x"
mkdir -p "$dest"
install -m 0755 "$work/x/usr/libexec/docker/cli-plugins/docker-compose" "$dest/docker-compose"
"$dest/docker-compose" version --short >&2
echo "$dest/docker-compose"
