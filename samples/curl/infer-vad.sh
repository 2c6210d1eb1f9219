#!/usr/bin/env bash
# A Silero VAD request: 512 samples of a 440 Hz tone at 16 kHz, zero recurrent state. Sent twice: the first
# wakes the model if it is at zero (torpor-cold-start: true), the second finds it warm.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
audio=$(awk 'BEGIN { for (i = 0; i < 512; i++) printf "%s%.6f", (i ? "," : ""), 0.5 * sin(2 * 3.14159265 * 440 * i / 16000) }')
state=$(awk 'BEGIN { for (i = 0; i < 256; i++) printf "%s0", (i ? "," : "") }')
body="{\"id\":\"demo\",\"inputs\":[
 {\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,512],\"data\":[$audio]},
 {\"name\":\"state\",\"datatype\":\"FP32\",\"shape\":[2,1,128],\"data\":[$state]},
 {\"name\":\"sr\",\"datatype\":\"INT64\",\"shape\":[],\"data\":[16000]}],
 \"outputs\":[{\"name\":\"output\"}]}"
for attempt in cold-or-warm warm; do
  echo "--- $attempt"
  curl -sS -H "@$auth_header" -D - -H 'Content-Type: application/json' -d "$body" "$url/v2/models/vad/infer" | grep -iE '^(HTTP|torpor-)|^\{'
done
