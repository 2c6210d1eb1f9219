#!/usr/bin/env bash
# The PaddleOCR text-direction classifier on one 3x48x192 image (a gradient): two scores, 0° and 180°.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
pixels=$(awk 'BEGIN { for (i = 0; i < 3*48*192; i++) printf "%s%.3f", (i ? "," : ""), (i % 192) / 192.0 }')
# The body is too long for a command line: send it on standard input.
echo "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3,48,192],\"data\":[$pixels]}]}" |
  curl -sS -H "@$auth_header" -H 'Content-Type: application/json' --data-binary @- "$url/v2/models/ocr-cls/infer"
echo
