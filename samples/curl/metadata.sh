#!/usr/bin/env bash
# Model metadata and readiness.   samples/curl/metadata.sh vad
set -euo pipefail
url="${TORPOR_URL:-http://127.0.0.1:8080}"
curl -sS "$url/v2/models/${1:-vad}"; echo
curl -sS "$url/v2/models/${1:-vad}/ready"; echo
