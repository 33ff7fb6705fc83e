# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/client — "the Internet": a machine on the public-looking lab network that
# reaches the server only as an outsider would (ssh, curl, nc, openssl s_client).
# Sourced by build-images.sh.
PACKAGES=(openssh-client curl netcat-openbsd sshpass openssl ca-certificates)
TAGS=(stack-wizard-lab/client)
CHANGES=('CMD ["sleep", "infinity"]')
