#!/usr/bin/env bash
# Calls a DJL MLP sample (FP32 x[-1,8] → y[-1,1]) with two rows, twice: cold (if at zero), then warm.
#   samples/curl/infer-mlp.sh            # mlp-djl: trained on y = sum(x), so expect about 1.0 and -0.4
#   samples/curl/infer-mlp.sh mlp-ts     # the TorchScript sample (random weights)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
model="${1:-mlp-djl}"
body='{"id":"demo","inputs":[{"name":"x","datatype":"FP32","shape":[2,8],
 "data":[0.1,0.2,0.3,0.4,-0.1,-0.2,0.2,0.1, 0.5,-0.5,0.25,-0.25,-0.4,0.0,0.0,0.0]}]}'
for attempt in cold-or-warm warm; do
  echo "--- $attempt"
  curl -sS -H "@$auth_header" -D - -H 'Content-Type: application/json' -d "$body" "$url/v2/models/$model/infer" | grep -iE '^(HTTP|torpor-)|^\{'
done
