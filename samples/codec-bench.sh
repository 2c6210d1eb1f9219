#!/usr/bin/env bash
# Codec micro-benchmarks (JMH): Torpor's KServe V2 JSON codec and binary tensor data extension, decode and
# encode of one FP32 tensor of 1 KiB to 64 MiB, each against a baseline in the same run (Jackson's tree model;
# a raw ByteBuffer copy). Prints a markdown table of payload MiB/s and ratios on stdout; JMH's own output goes
# to stderr, its CSV to $CODEC_BENCH_OUT (default: a temp dir). Takes ~8 minutes on 2 cores.
#
#   samples/codec-bench.sh                                   # all sizes, short settings
#   samples/codec-bench.sh -p tensorBytes=1024,1048576       # extra JMH options are passed on
#   JMH_RUN_OPTS='-f 1 -wi 5 -i 10' samples/codec-bench.sh   # replaces the iteration settings below
#   CODEC_BENCH_BUILD=1 samples/codec-bench.sh               # rebuild the jar first
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jar="$root/samples/codec-bench/target/torpor-codec-bench.jar"

if [[ ! -f "$jar" || "${CODEC_BENCH_BUILD:-0}" == 1 ]]; then
  echo "codec-bench: building $jar (mvn -B -q -DskipTests -pl samples/codec-bench -am package)…" >&2
  mvn -B -q -DskipTests -DskipSampleModels -pl samples/codec-bench -am package >&2
fi

out="${CODEC_BENCH_OUT:-$(mktemp -d -t torpor-codec-bench-XXXXXX)}"
mkdir -p "$out"
csv="$out/codec-bench.csv"

# One fork per benchmark and size, 5 warm-up and 3 measured iterations of 1 s: short, and enough for ratios on
# a noisy machine. Fewer warm-ups are not: on the shared 2-core VM the binary decode path reached its steady
# state only after ~6 s of running (C2 competes for the CPUs). JMH prints each score's error; an iteration of a
# 64 MiB JSON op lasts one op (seconds).
# shellcheck disable=SC2086 # JMH_RUN_OPTS is a list of options
java -jar "$jar" ${JMH_RUN_OPTS:--f 1 -wi 5 -i 3 -w 1s -r 1s} -rf csv -rff "$csv" "$@" 'dev.torpor.samples.codec.*' >&2

echo "# Codec micro-benchmarks, $(date -u +%Y-%m-%d), $(nproc) CPUs, $(java -version 2>&1 | head -1)"
echo
java -cp "$jar" dev.torpor.samples.codec.CodecReport "$csv"
echo
echo "JMH CSV: $csv"
