# shellcheck shell=bash disable=SC2034  # sourced by build-images.sh, which reads these variables
# stack-wizard-lab/pebble — Let's Encrypt's test ACME server (bookworm's `pebble`), so init's
# Let's Encrypt path runs for real in the lab: certbot on the server talks ACME to it, and it
# validates http-01 against the server's published port 80, resolving the domain through Docker's
# embedded DNS (a network alias of the server). At start the entrypoint makes a CA and a
# certificate for the API's name `pebble` (/etc/pebble/ca.pem is what certbot must trust); pebble
# itself makes a new issuing root and intermediate at every start (management port 15000).
# Sourced by build-images.sh.
PACKAGES=(pebble openssl ca-certificates)
TAGS=(stack-wizard-lab/pebble)
CHANGES=(
  'ENTRYPOINT ["/usr/local/bin/pebble-entrypoint.sh"]'
  'EXPOSE 14000 15000'
  # No random sleep before validating, no rejected nonces (the test waits for nothing it need not);
  # no reused authorizations, so a renewal is validated over http-01 again.
  'ENV PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0'
)

customize() {
  local root=$1
  chmod 0755 "$root/usr/local/bin/pebble-entrypoint.sh"
  chroot "$root" pebble -h 2>&1 | grep -q -- -dnsserver || { echo "pebble has no -dnsserver flag" >&2; return 1; }
}
