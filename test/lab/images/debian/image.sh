# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/debian:12 — a bare Debian 12 (minbase, ca-certificates, curl; no Node) for
# install.sh tests. Sourced by build-images.sh.
VARIANT=minbase
PACKAGES=(ca-certificates curl)
TAGS=(stack-wizard-lab/debian:12)
CHANGES=('CMD ["bash"]' 'ENV LANG=C.UTF-8')
