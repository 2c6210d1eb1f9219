#!/usr/bin/env bash
# Billing records of a model (JSON, then CSV) and the summary per model.   samples/curl/billing.sh vad
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
model="${1:-vad}"
curl -sS -H "@$auth_header" "$url/billing/records?model=$model&limit=5"; echo
curl -sS -H "@$auth_header" -H 'Accept: text/csv' "$url/billing/records?model=$model&limit=5"
curl -sS -H "@$auth_header" "$url/billing/summary?groupBy=model"; echo
