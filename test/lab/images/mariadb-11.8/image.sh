# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/mariadb:11.8 — Debian trixie's mariadb-server 11.8 (LTS) and mariadb-backup with
# the same contract as stack-wizard-lab/mariadb:10.11: that image's recipe, entrypoint and
# healthcheck (../mariadb), another suite and series. Sourced by build-images.sh.
# shellcheck source-path=SCRIPTDIR source=../mariadb/image.sh
. "$(dirname "${BASH_SOURCE[0]}")/../mariadb/image.sh"
SUITE=trixie
MARIADB_SERIES=11.8
TAGS=(stack-wizard-lab/mariadb:11.8)

# The shared recipe and files are build inputs of this image too (its cache hash).
extra_inputs() {
  (cd "$MARIADB_IMAGE_DIR" && find . -type f -printf '%m %p\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}
