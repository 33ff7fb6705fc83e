# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/valkey:9.1 — Debian sid's valkey-server 9.1 with the same contract as
# stack-wizard-lab/valkey:8.1 (that image's recipe and entrypoint, ../valkey-8.1). Sourced by
# build-images.sh.
# shellcheck source-path=SCRIPTDIR source=../valkey-8.1/image.sh
. "$(dirname "${BASH_SOURCE[0]}")/../valkey-8.1/image.sh"
SUITE=sid
# This machine's sid is a frozen snapshot past its Release file's Valid-Until date.
MMDEBSTRAP_ARGS=(--aptopt='Acquire::Check-Valid-Until "false"')
VALKEY_SERIES=9.1
TAGS=(stack-wizard-lab/valkey:9.1)

# The shared recipe and files are build inputs of this image too (its cache hash).
extra_inputs() {
  (cd "$VALKEY_IMAGE_DIR" && find . -type f -printf '%m %p\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}
