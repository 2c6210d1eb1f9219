#!/usr/bin/env bash
# Runs the README's quick start for real (samples/quickstart.sh), calls it the way a user would, checks
# the answers and the billing, then sends SIGTERM and checks that Torpor drains and exits. Used by .ci/run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo 18181)
export TORPOR_PORT="$port" TORPOR_DATA_DIR="$work/data" TORPOR_URL="http://127.0.0.1:$port"
log="$work/quickstart.log"
fail() { echo "smoke-test: FAIL: $*" >&2; echo "--- quickstart log:" >&2; cat "$log" >&2; exit 1; }

setsid "$root/samples/quickstart.sh" >"$log" 2>&1 &
starter=$!
cleanup() { kill -TERM -- -"$starter" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for _ in $(seq 1 600); do
  grep -q "Torpor is running" "$log" && break
  kill -0 "$starter" 2>/dev/null || fail "the quick start exited early"
  sleep 0.5
done
grep -q "Torpor is running" "$log" || fail "the quick start did not come up in 5 minutes"

# Auth is on by default: no key is 401; the scripts send the operator key from the data dir.
unauthenticated=$(curl -s -o /dev/null -w '%{http_code}' "$TORPOR_URL/v2/models/vad")
[[ "$unauthenticated" == 401 ]] || fail "a request without a key got $unauthenticated, not 401"
[[ -r "$TORPOR_DATA_DIR/operator.key" ]] || fail "no operator key in $TORPOR_DATA_DIR/operator.key"
[[ "$(stat -c %a "$TORPOR_DATA_DIR/operator.key")" == 600 ]] || fail "operator.key is not owner-only"
auth=(-H "Authorization: Bearer $(<"$TORPOR_DATA_DIR/operator.key")")

answers="$("$root/samples/curl/infer-vad.sh")"
echo "$answers"
[[ $(grep -c 'HTTP/1.1 200' <<<"$answers") == 2 ]] || fail "vad did not answer 200 twice"
grep -qi 'torpor-cold-start: true' <<<"$answers" || fail "the first request was not cold"
grep -qi 'torpor-cold-start: false' <<<"$answers" || fail "the second request was not warm"
"$root/samples/curl/infer-ocr-cls.sh" | grep -q '"outputs"' || fail "ocr-cls did not answer"
records=$(curl -fsS "${auth[@]}" "$TORPOR_URL/billing/records?limit=1000" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["records"]))')
[[ "$records" == 3 ]] || fail "expected 3 billing records, found $records"
curl -fsS "${auth[@]}" -H 'Accept: text/csv' "$TORPOR_URL/billing/records" | head -1 | grep -q '^id,kind,startedAt' \
  || fail "CSV billing has no header"

# The DJL-format model (PyTorch through DJL) answers, cold then warm.
mlp="$("$root/samples/curl/infer-mlp.sh")"
echo "$mlp"
[[ $(grep -c 'HTTP/1.1 200' <<<"$mlp") == 2 ]] || fail "mlp-djl did not answer 200 twice"

# SIGTERM drains and exits.
server=$(pgrep -f -n "java -jar $root/router/target/torpor.jar") || fail "no Torpor process"
kill -TERM "$server"
for _ in $(seq 1 120); do kill -0 "$server" 2>/dev/null || break; sleep 0.25; done
kill -0 "$server" 2>/dev/null && fail "Torpor did not exit within 30 s of SIGTERM"
grep -q "all function instances stopped" "$log" || fail "Torpor did not drain its instances on SIGTERM"
echo "smoke-test: 5 passed, 0 failed"
