#!/usr/bin/env bash
# Merges fields into a model's config and prints the effective config.
#   samples/curl/config.sh vad '{"idleTimeoutSeconds": 30, "concurrencyPerInstance": 2}'
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
curl -sS -H "@$auth_header" -X PUT -H 'Content-Type: application/json' -d "$2" "$url/v2/repository/models/$1/config"
echo
