# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/debian:12-node18-sudo — Debian 12 with its own nodejs 18 (older than the wizard
# needs) and sudo, for install.sh tests (test/e2e/installer.test.ts): it must install its own Node.js
# beside Debian's and leave that one alone. Kept alive with `sleep infinity`. Sourced by build-images.sh.
VARIANT=minbase
PACKAGES=(ca-certificates curl nodejs sudo)
TAGS=(stack-wizard-lab/debian:12-node18-sudo)
CHANGES=('CMD ["sleep", "infinity"]')
