#!/usr/bin/env bash
# Makes a self-signed certificate for trying Torpor over HTTPS on this machine (for production use a certificate
# from your CA in a PKCS12 file). Writes torpor.p12 (key + certificate, for Torpor) and torpor.crt (the
# certificate, for clients: curl --cacert torpor.crt). Needs the JDK's keytool.
#
#   samples/tls/make-keystore.sh [DIR] [HOSTNAME]        # default: ./tls, localhost
#   then:  TORPOR_TLS_KEYSTORE_PASSWORD=… see docs/SECURITY.md, "TLS"
set -euo pipefail
dir="${1:-tls}"
host="${2:-localhost}"
password="${TORPOR_TLS_KEYSTORE_PASSWORD:?set TORPOR_TLS_KEYSTORE_PASSWORD to the keystore password to use}"
mkdir -p "$dir"
rm -f "$dir/torpor.p12" "$dir/torpor.crt"
keytool -genkeypair -alias torpor -keyalg EC -groupname secp256r1 -validity 365 -storetype PKCS12 \
  -keystore "$dir/torpor.p12" -storepass "$password" -dname "CN=$host" \
  -ext "SAN=dns:$host,ip:127.0.0.1" >/dev/null 2>&1
keytool -exportcert -rfc -alias torpor -keystore "$dir/torpor.p12" -storepass "$password" -file "$dir/torpor.crt" \
  >/dev/null 2>&1
chmod 600 "$dir/torpor.p12"
echo "make-keystore: wrote $dir/torpor.p12 (for Torpor) and $dir/torpor.crt (for clients)"
