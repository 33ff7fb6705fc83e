# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/redis:8.0 — Debian sid's redis-server 8.0 with the same contract as
# stack-wizard-lab/redis:7.0 (that image's recipe and entrypoint, ../redis). Not here: the modules
# the official redis:8 image bundles (search, JSON, time series, probabilistic), which Debian does
# not package. Sourced by build-images.sh.
# shellcheck source-path=SCRIPTDIR source=../redis/image.sh
. "$(dirname "${BASH_SOURCE[0]}")/../redis/image.sh"
SUITE=sid
# This machine's sid is a frozen snapshot past its Release file's Valid-Until date.
MMDEBSTRAP_ARGS=(--aptopt='Acquire::Check-Valid-Until "false"')
REDIS_SERIES=8.0
TAGS=(stack-wizard-lab/redis:8.0)

# The shared recipe and files are build inputs of this image too (its cache hash).
extra_inputs() {
  (cd "$REDIS_IMAGE_DIR" && find . -type f -printf '%m %p\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}
