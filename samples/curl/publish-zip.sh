#!/usr/bin/env bash
# Publishes a model archive (model files + model.json) as NAME/VERSION.
#   samples/curl/publish-zip.sh mlp-djl 1 samples/.cache/models/mlp-djl.zip            # DJL format (djl-trainer)
#   samples/curl/publish-zip.sh mlp-ts 1 samples/.cache/models/mlp-torchscript.zip     # TorchScript (make-torchscript.sh)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
curl -sS -H "@$auth_header" -X PUT -H 'Content-Type: application/zip' --data-binary "@$3" \
  "$url/v2/repository/models/$1/versions/$2"
echo
