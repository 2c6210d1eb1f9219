#!/usr/bin/env bash
# Makes the TorchScript sample offline: a 2-layer MLP (FP32 [-1, 8] → [-1, 1], fixed seed) scripted by Debian's
# python3-torch into samples/.cache/models/mlp.pt, with its model.json, zipped as mlp-torchscript.zip.
# Installs nothing itself: on Debian, `apt-get install -y --no-install-recommends python3-torch` (~680 MB).
#
#   samples/make-torchscript.sh                  # (re)make the sample
#   samples/make-torchscript.sh --if-missing     # keep a zip that is already there
#   samples/make-torchscript.sh --if-missing --optional   # and only warn when python3-torch is absent
#
# The Maven build calls it with --if-missing (and --optional when tests are skipped): the tests need the model
# and fail loudly without it; the quick start only needs it if you want to publish the TorchScript sample.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${TORPOR_SAMPLES_DIR:-$here/.cache/models}"
python="${TORPOR_TORCH_PYTHON:-/usr/bin/python3}"
if_missing=false optional=false
for arg in "$@"; do
  case "$arg" in
    --if-missing) if_missing=true;;
    --optional) optional=true;;
    --optional=true) optional=true;;
    --optional=*) ;;
    *) echo "make-torchscript: unknown argument $arg" >&2; exit 2;;
  esac
done
zip="$dest/mlp-torchscript.zip"
if $if_missing && [[ -f "$zip" ]]; then
  exit 0
fi
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
  message="make-torchscript: $python cannot import torch; install it with
  apt-get install -y --no-install-recommends python3-torch   (Debian, ~680 MB)"
  if $optional; then
    echo "$message" >&2
    echo "make-torchscript: skipped (optional here); the TorchScript sample is not available" >&2
    exit 0
  fi
  echo "$message" >&2
  exit 1
fi
mkdir -p "$dest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# torch.jit.script reads the module's source, so the program goes in a file rather than on stdin.
cat > "$work/make_mlp.py" <<'PY'
import sys
import torch

torch.manual_seed(42)

class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(8, 16)
        self.out = torch.nn.Linear(16, 1)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))

model = torch.jit.script(Mlp().eval())
model.save(sys.argv[1])
PY
"$python" "$work/make_mlp.py" "$work/mlp.pt"

cat > "$work/model.json" <<'JSON'
{"format": "torchscript", "engine": "PyTorch", "file": "mlp.pt",
 "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 8]}],
 "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 1]}]}
JSON
# Fixed entry timestamps (torch.jit.save itself is not byte-for-byte reproducible).
touch -d '2026-01-01T00:00:00Z' "$work/mlp.pt" "$work/model.json"
(cd "$work" && "$python" -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for name in ("model.json", "mlp.pt"):
        info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(name, "rb") as f:
            z.writestr(info, f.read())
' mlp-torchscript.zip.part)
cp "$work/mlp.pt" "$dest/mlp.pt"
mv "$work/mlp-torchscript.zip.part" "$zip"
echo "make-torchscript: $zip ready (TorchScript MLP, FP32 x[-1,8] → y[-1,1])"
