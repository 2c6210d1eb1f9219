#!/usr/bin/env bash
# Builds Torpor, starts it on its embedded defaults (file-system model store and SQLite ledger under ./data),
# publishes the sample models and prints how to call them. Ctrl-C (or SIGTERM) drains and stops it.
#
#   samples/quickstart.sh
#   TORPOR_PORT=9090 TORPOR_DATA_DIR=/tmp/torpor samples/quickstart.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
port="${TORPOR_PORT:-8080}"
host="${TORPOR_HOST:-127.0.0.1}"
base="http://$host:$port"
export TORPOR_PORT="$port" TORPOR_HOST="$host" TORPOR_DATA_DIR="${TORPOR_DATA_DIR:-$root/data}"

echo "quickstart: building (mvn package, tests skipped)…"
mvn -B -q -DskipTests package
jar="$root/router/target/torpor.jar"

echo "quickstart: starting Torpor on $base (data in $TORPOR_DATA_DIR)"
java -jar "$jar" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null' INT TERM

for _ in $(seq 1 120); do
  if curl -fsS "$base/v2/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "quickstart: Torpor exited during start-up" >&2; exit 1; fi
  sleep 0.25
done
curl -fsS "$base/v2/health/ready" >/dev/null

# On its first start Torpor created an operator key and wrote it, readable only by this user, into the data dir.
key_file="$TORPOR_DATA_DIR/operator.key"
auth_header="$(mktemp)"
trap 'rm -f "$auth_header"' EXIT
if [[ -r "$key_file" ]]; then
  printf 'Authorization: Bearer %s\n' "$(<"$key_file")" >"$auth_header"
else
  echo "quickstart: no operator key in $key_file: is TORPOR_AUTH_ENABLED=false? (publishing without a key)"
fi

publish() { # name file
  local status
  status=$(curl -s -o /tmp/torpor-publish.$$ -w '%{http_code}' -X PUT -H "@$auth_header" \
    -H "Content-Type: ${content_type:-application/octet-stream}" \
    --data-binary "@$2" "$base/v2/repository/models/$1/versions/1")
  case "$status" in
    201) echo "quickstart: published $1 (version 1)";;
    409) echo "quickstart: $1 version 1 was already published";;
    *) echo "quickstart: publishing $1 failed ($status): $(cat /tmp/torpor-publish.$$)" >&2; rm -f /tmp/torpor-publish.$$; exit 1;;
  esac
  rm -f /tmp/torpor-publish.$$
}
models="$root/samples/.cache/models"
publish vad "$models/silero_vad.onnx"
publish ocr-cls "$models/ocr_cls.onnx"
# The DJL-format MLP that samples/djl-trainer trained during the build (PyTorch through DJL, CPU).
content_type=application/zip publish mlp-djl "$models/mlp-djl.zip"
# The TorchScript sample exists only where Debian's python3-torch made it (samples/make-torchscript.sh).
if [[ -f "$models/mlp-torchscript.zip" ]]; then
  content_type=application/zip publish mlp-ts "$models/mlp-torchscript.zip"
fi

cat <<EOT

Torpor is running on $base with its sample models at zero instances: vad (Silero VAD) and ocr-cls (PaddleOCR
text-direction classifier) on ONNX Runtime, mlp-djl (a DJL-format MLP trained on y = sum(x)) on PyTorch through
DJL, and mlp-ts (TorchScript) if python3-torch made it. The first request wakes a model; an idle one scales
back to zero.

Every request needs an API key. Torpor's first operator key is in $key_file (only you can read it);
the scripts in samples/curl/ send it (or \$TORPOR_KEY). Make keys for apps and publishers with POST /admin/keys.

  key=\$(cat $key_file)
  curl -s -H "Authorization: Bearer \$key" $base/v2/models/vad              # metadata
  samples/curl/infer-vad.sh                                                  # an inference (cold, then warm)
  samples/curl/infer-mlp.sh                                                  # the DJL model (cold, then warm)
  curl -s -H "Authorization: Bearer \$key" $base/v2/repository/models       # models, instances, state
  curl -s -H "Authorization: Bearer \$key" "$base/billing/records?model=vad" # one billing record per request
  curl -s -H "Authorization: Bearer \$key" -H 'Content-Type: application/json' \\
       -d '{"role": "invoker", "tenant": "default"}' $base/admin/keys       # a key for an app (shown once)

More in samples/curl/. Ctrl-C drains and stops Torpor.
EOT
wait "$server"
