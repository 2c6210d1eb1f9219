# Sourced by the samples: where Torpor is and which key to send.
#   TORPOR_URL  (default http://127.0.0.1:8080)
#   TORPOR_KEY  an API key; default: the operator key that Torpor created on its first start in
#               ${TORPOR_DATA_DIR:-./data}/operator.key (readable only by the user who started Torpor)
url="${TORPOR_URL:-http://127.0.0.1:8080}"
if [[ -z "${TORPOR_KEY:-}" ]]; then
  key_file="${TORPOR_DATA_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/data}/operator.key"
  if [[ -r "$key_file" ]]; then
    TORPOR_KEY="$(<"$key_file")"
  fi
fi
# curl -H "@file" keeps the key out of the process list (ps shows command lines).
auth_header="$(mktemp)"
trap 'rm -f "$auth_header"' EXIT
if [[ -n "${TORPOR_KEY:-}" ]]; then
  printf 'Authorization: Bearer %s\n' "$TORPOR_KEY" >"$auth_header"
fi
