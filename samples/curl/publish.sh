#!/usr/bin/env bash
# Publishes a .onnx file as NAME/VERSION.   samples/curl/publish.sh vad 2 samples/.cache/models/silero_vad.onnx
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
curl -sS -H "@$auth_header" -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$3" \
  "$url/v2/repository/models/$1/versions/$2"
echo
