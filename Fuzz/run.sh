#!/usr/bin/env bash
# Runs one fuzz target with the project's limits: a crash, a leak, an input over 1 s or over
# 2 GiB is a finding (libFuzzer stops and exits non-zero, leaving the input in Fuzz/runs/).
# Usage: Fuzz/run.sh TARGET CORPUS_DIR [libFuzzer options...], e.g. -max_total_time=20 or -runs=1000000
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1; corpus=$2; shift 2
mkdir -p "$corpus" Fuzz/runs
[ -x Fuzz/build/$target ] || Fuzz/build.sh "$target"
[ -d Fuzz/build/seeds/$target ] && [ -f Fuzz/build/$target.dict ] || python3 Fuzz/make_seeds.py
seeds=(Fuzz/build/seeds/$target)
[ -d Fuzz/Corpus/$target ] && seeds+=(Fuzz/Corpus/$target)
[ -d Fuzz/Regressions/$target ] && seeds+=(Fuzz/Regressions/$target)
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=1"
exec Fuzz/build/$target "$corpus" "${seeds[@]}" -dict=Fuzz/build/$target.dict -max_len=4096 -timeout=1 \
  -rss_limit_mb=2048 -malloc_limit_mb=2048 -artifact_prefix=Fuzz/runs/$target- -print_final_stats=1 "$@"
