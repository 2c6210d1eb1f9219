#!/usr/bin/env bash
# Billing records of a model (JSON, then CSV) and the summary per model.   samples/curl/billing.sh vad
set -euo pipefail
url="${TORPOR_URL:-http://127.0.0.1:8080}"
model="${1:-vad}"
curl -sS "$url/billing/records?model=$model&limit=5"; echo
curl -sS -H 'Accept: text/csv' "$url/billing/records?model=$model&limit=5"
curl -sS "$url/billing/summary?groupBy=model"; echo
