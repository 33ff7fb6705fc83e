# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/debian:13-nodejs — Debian 13 with its nodejs 20 but not its separate npm package,
# for install.sh tests (test/e2e/installer.test.ts): it must install its own Node.js with npm. Kept
# alive with `sleep infinity`. Sourced by build-images.sh.
SUITE=trixie
VARIANT=minbase
PACKAGES=(ca-certificates curl nodejs)
TAGS=(stack-wizard-lab/debian:13-nodejs)
CHANGES=('CMD ["sleep", "infinity"]')
