#!/bin/sh
# Starts pebble with a TLS certificate for its API that names `pebble` (and localhost), signed by a
# CA made here, and validation against ports 80/443 of the names it is asked about, looked up at
# PEBBLE_DNS (default: Docker's embedded DNS, which knows the lab containers' names and aliases).
set -eu
d=/etc/pebble
mkdir -p "$d"
if [ ! -f "$d/ca.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -subj '/CN=stack-wizard lab ACME API CA' -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj '/CN=pebble' \
    -keyout "$d/key.pem" -out "$d/api.csr" 2>/dev/null
  printf 'subjectAltName=DNS:pebble,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$d/api.ext"
  openssl x509 -req -in "$d/api.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 30 \
    -extfile "$d/api.ext" -out "$d/cert.pem" 2>/dev/null
fi
cat >"$d/pebble-config.json" <<JSON
{
  "pebble": {
    "listenAddress": "0.0.0.0:14000",
    "managementListenAddress": "0.0.0.0:15000",
    "certificate": "$d/cert.pem",
    "privateKey": "$d/key.pem",
    "httpPort": ${PEBBLE_HTTP_PORT:-80},
    "tlsPort": ${PEBBLE_TLS_PORT:-443},
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
JSON
exec pebble -config "$d/pebble-config.json" -dnsserver "${PEBBLE_DNS:-127.0.0.11:53}" "$@"
