# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/nginx:1.22 — Debian bookworm's nginx 1.22, the oldest nginx the generated files
# must still run on (a Debian 12 host's own), with the same contract as stack-wizard-lab/nginx:1.26
# (that image's recipe and files, ../nginx). 1.22 predates `http2 on;` (1.25.1). Sourced by
# build-images.sh.
# shellcheck source-path=SCRIPTDIR source=../nginx/image.sh
. "$(dirname "${BASH_SOURCE[0]}")/../nginx/image.sh"
SUITE=bookworm
NGINX_SERIES=1.22
TAGS=(stack-wizard-lab/nginx:1.22)

# The shared recipe and files are build inputs of this image too (its cache hash).
extra_inputs() {
  (cd "$NGINX_IMAGE_DIR" && find . -type f -printf '%m %p\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}
