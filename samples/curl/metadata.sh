#!/usr/bin/env bash
# Model metadata and readiness.   samples/curl/metadata.sh vad
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
curl -sS -H "@$auth_header" "$url/v2/models/${1:-vad}"; echo
curl -sS -H "@$auth_header" "$url/v2/models/${1:-vad}/ready"; echo
