#!/usr/bin/env bash
# API keys (needs an operator key: by default the one in ${TORPOR_DATA_DIR:-./data}/operator.key).
#   samples/curl/keys.sh create invoker team-a     # → {"id": "key_…", "key": "tpk_…", …}: the key is shown once
#   samples/curl/keys.sh list
#   samples/curl/keys.sh delete key_0123456789abcdef
#   samples/curl/keys.sh audit                     # the audit log: who changed what, when
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
case "${1:-list}" in
  create) curl -sS -H "@$auth_header" -H 'Content-Type: application/json' \
            -d "{\"role\": \"${2:?role: invoker, publisher or operator}\", \"tenant\": \"${3:?tenant}\"}" "$url/admin/keys";;
  list) curl -sS -H "@$auth_header" "$url/admin/keys";;
  delete) curl -sS -H "@$auth_header" -X DELETE -w '%{http_code}\n' "$url/admin/keys/${2:?key id}";;
  audit) curl -sS -H "@$auth_header" "$url/admin/audit?limit=100";;
  *) echo "usage: keys.sh create ROLE TENANT | list | delete ID | audit" >&2; exit 2;;
esac
echo
