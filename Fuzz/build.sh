#!/usr/bin/env bash
# Builds the libFuzzer harnesses (AddressSanitizer + coverage) into Fuzz/build: the library
# modules as static libraries compiled by swiftc from their sources (SwiftPM cannot build a
# libFuzzer executable), then one executable per target of Fuzz/Targets.
# Usage: Fuzz/build.sh [target ...]   (default: every target)
set -euo pipefail
cd "$(dirname "$0")/.."
out=Fuzz/build
mkdir -p "$out"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -I Sources/CYAML -I Sources/CZlib -I "$out" -L "$out"
       -suppress-warnings -use-ld=lld)

# A module is rebuilt when any of its sources is newer than its library, and every module after
# one that was rebuilt (they are built in dependency order).
rebuilt=0
module() {
  local name=$1 sources
  shopt -s nullglob globstar
  sources=(Sources/$name/**/*.swift)
  shopt -u nullglob globstar
  if [ $rebuilt = 0 ] && [ -f "$out/lib$name.a" ] && [ -z "$(find "${sources[@]}" -newer "$out/lib$name.a" | head -1)" ]; then
    return
  fi
  rebuilt=1
  echo "fuzz build: module $name"
  swiftc "${flags[@]}" -emit-module -emit-library -static -module-name "$name" \
    -emit-module-path "$out/$name.swiftmodule" -o "$out/lib$name.a" "${sources[@]}"
}

# harness NAME TARGET_FILE [MORE_SOURCES...]: Fuzz/Targets/FuzzSupport.swift, the target and
# the libFuzzer entry point Fuzz/Entry/NAME.swift in one module.
harness() {
  local name=$1; shift
  echo "fuzz build: $name"
  swiftc "${flags[@]}" -module-name "${name}Harness" Fuzz/Targets/FuzzSupport.swift "$@" Fuzz/Entry/$name.swift \
    -lDLCCheck -lDLCData -lDLCSpec -lDLCDiagnostics -lyaml -lz -o "$out/$name"
}

module DLCDiagnostics
module DLCSpec
module DLCData
module DLCCheck

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(spec csv idx gzip safetensors)
for target in "${targets[@]}"; do
  case $target in
    spec) harness spec Fuzz/Targets/SpecTarget.swift Sources/dlc/CheckReport.swift Sources/dlc/LayerTable.swift Sources/dlc/FeatureTable.swift ;;
    csv) harness csv Fuzz/Targets/CSVTarget.swift ;;
    idx) harness idx Fuzz/Targets/IDXTarget.swift ;;
    gzip) harness gzip Fuzz/Targets/GzipTarget.swift ;;
    safetensors) harness safetensors Fuzz/Targets/SafetensorsTarget.swift Sources/DLCRuntime/Output/Safetensors*.swift Sources/DLCRuntime/Output/AtomicFile.swift ;;
    *) echo "fuzz build: no target $target (spec, csv, idx, gzip, safetensors)" >&2; exit 2 ;;
  esac
done
