# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/nginx:1.30 — Debian sid's nginx 1.30 (the stable line) with the same contract as
# stack-wizard-lab/nginx:1.26 (that image's recipe and files, ../nginx). Sourced by build-images.sh.
# shellcheck source-path=SCRIPTDIR source=../nginx/image.sh
. "$(dirname "${BASH_SOURCE[0]}")/../nginx/image.sh"
SUITE=sid
# This machine's sid is a frozen snapshot past its Release file's Valid-Until date.
MMDEBSTRAP_ARGS=(--aptopt='Acquire::Check-Valid-Until "false"')
NGINX_SERIES=1.30
TAGS=(stack-wizard-lab/nginx:1.30)

# The shared recipe and files are build inputs of this image too (its cache hash).
extra_inputs() {
  (cd "$NGINX_IMAGE_DIR" && find . -type f -printf '%m %p\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}
