#!/usr/bin/env bash
# Merges fields into a model's config and prints the effective config.
#   samples/curl/config.sh vad '{"idleTimeoutSeconds": 30, "concurrencyPerInstance": 2}'
set -euo pipefail
url="${TORPOR_URL:-http://127.0.0.1:8080}"
curl -sS -X PUT -H 'Content-Type: application/json' -d "$2" "$url/v2/repository/models/$1/config"
echo
