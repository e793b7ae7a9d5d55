#!/usr/bin/env bash
# Line coverage of the readers reached by the committed corpus: replays Fuzz/Corpus,
# Fuzz/Regressions and Fuzz/Seeds through the fuzz targets in a coverage build of the tests, then
# prints llvm-cov's report for the modules the targets drive. Usage: Fuzz/coverage.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift test --enable-code-coverage --filter CorpusReplayTests
llvm_cov=$(dirname "$(readlink -f "$(command -v swift)")")/llvm-cov
"$llvm_cov" report .build/debug/dlcPackageTests.xctest -instr-profile=.build/debug/codecov/default.profdata \
  -ignore-filename-regex='(Tests|Fuzz|\.build|Sources/dlc/|DLCRuntime/(Kernels|Execution|Optimizers|Training)|DLCCompile|DLCGraph|DLCReport)' \
  | awk 'NR > 2 && $1 !~ /^-/ { printf "%-50s %5d of %5d lines  %s\n", $1, $8 - $9, $8, $10 }'
