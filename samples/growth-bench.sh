#!/usr/bin/env bash
# How cost grows with the work: router memory and metadata latency with 10, 100 and 1,000 published models, and
# memory per warm instance with 1, 5 and 20 warm models for the in-process and the process launchers, each on a
# fresh `java -jar router/target/torpor.jar` child (127.0.0.1 only; always stopped). Prints a markdown report on
# stdout, progress on stderr. About 5-8 minutes on 2 cores; needs ~2.5 GB of temp space (1,000 copies of the
# model) and a few GB of RAM (20 function processes).
#
#   samples/growth-bench.sh
#   samples/growth-bench.sh --models 10,100 --warm 1,5 --launchers in-process --out /tmp/growth.md
#   GROWTH_BENCH_BUILD=1 samples/growth-bench.sh       # rebuild the router jar and the bench jar first
#
# Options: --jar PATH  --model PATH (an ONNX file; Silero VAD by default, the infer body is Silero's)
#          --models N,N,…  --metadata-requests N  --list-requests N  --no-touch  --warm N,N,…  --launchers L,L  --out FILE  --keep
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bench="$root/samples/growth-bench/target/torpor-growth-bench.jar"

if [[ ! -f "$bench" || ! -f router/target/torpor.jar || "${GROWTH_BENCH_BUILD:-0}" == 1 ]]; then
  echo "growth-bench: building (mvn -B -q -DskipTests -pl router,samples/growth-bench -am package)…" >&2
  mvn -B -q -DskipTests -pl router,samples/growth-bench -am package >&2
fi
bash samples/fetch-models.sh >&2

echo "growth-bench: commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" >&2
exec java -jar "$bench" "$@"
