#!/usr/bin/env bash
# Serve benchmark: Silero VAD through Torpor (child process, HTTP/1.1, JSON) versus ONNX Runtime called directly,
# plus cold starts, child memory and SIGTERM shutdown, in one run. Builds what it needs, prints a markdown report
# on stdout (progress on stderr). Sends traffic only to 127.0.0.1; the Torpor child is always stopped.
#
#   samples/bench.sh                                  # 5000 timed requests, 2000 warm-up
#   samples/bench.sh --requests 20000 --warmup 5000 --out /tmp/bench.md
#   BENCH_SKIP_BUILD=1 samples/bench.sh               # reuse router/target/torpor.jar and samples/target/torpor-bench.jar
#
# The serving suite (docs/BENCHMARKS.md, "Serving suite"): four models, floor vs in-process vs process launcher at
# concurrency 1, 8, 32, a markdown table and issue 8's goals on stdout (~11 minutes with the defaults):
#   samples/bench.sh suite [--models wakeword,silero,ocr_cls,ocr_rec] [--concurrency 1,8,32] [--warmup-s 5]
#                          [--measure-s 10] [--open-loop 0.7] [--intra-op N] [--router-jvm-opts "-XX:…"] [--out FILE]
# Function pods (issue 13): cold start through a warm pod, pod vs process launcher req/s, a burst at zero, on the test
# cluster (fabric8's mock API server + the test kubelet, pods as local processes; ~2 minutes):
#   samples/bench.sh pods [--cold-rounds 15] [--concurrency 8] [--measure-s 10] [--burst 200] [--out FILE]
# ONNX Runtime session settings on the same models, engine only (no router):
#   samples/bench.sh engine [--warmup-s 1] [--measure-s 4]
#
# Options of the single-model bench: --jar PATH  --model PATH (silero_vad.onnx or ocr_cls.onnx)  --requests N  --warmup N  --cold-rounds N
#          --cold-pause-ms N  --concurrency 1,8  --launcher in-process|process  --warm-pool N  --out FILE  --keep
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  echo "bench: building (mvn -B -q -DskipTests package)…" >&2
  mvn -B -q -DskipTests package >&2
fi

# BENCH_WORK_DIR: where the child routers' data dirs (model store, SQLite ledger) go; default the system's temp
# dir. BENCH_WORK_DIR=/dev/shm/torpor-bench puts the ledger on tmpfs, to see what the disk's fsync costs.
if [[ -n "${BENCH_WORK_DIR:-}" ]]; then
  mkdir -p "$BENCH_WORK_DIR"
  exec java -Djava.io.tmpdir="$BENCH_WORK_DIR" -Dtorpor.bench.launcher=samples/bench.sh \
    -jar "$root/samples/target/torpor-bench.jar" "$@"
fi
exec java -Dtorpor.bench.launcher=samples/bench.sh -jar "$root/samples/target/torpor-bench.jar" "$@"
