#!/usr/bin/env bash
# Regenerates Generated/onnx.pb.swift from Proto/onnx.proto with protoc and swift-protobuf's own
# plugin, built from the swift-protobuf version Package.swift resolves.
#
# onnx.proto is ONNX's own file, copied unchanged from the `onnx` 1.23.2 wheel
# (`python -c "import onnx, os; print(os.path.dirname(onnx.__file__))"`/onnx.proto; its source is
# https://github.com/onnx/onnx/blob/v1.23.2/onnx/onnx.in.proto, Apache-2.0).
#
# Needs: protoc (Debian: protobuf-compiler). Run from anywhere: bash Sources/DLCExport/Proto/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
command -v protoc >/dev/null || { echo "install protoc: apt-get install protobuf-compiler" >&2; exit 1; }
swift package resolve
plugin_package=.build/checkouts/swift-protobuf
swift build -c release --package-path "$plugin_package" --scratch-path .build-protoc-gen-swift --product protoc-gen-swift
protoc --plugin=protoc-gen-swift=.build-protoc-gen-swift/release/protoc-gen-swift \
    --swift_out=Sources/DLCExport/Generated --swift_opt=Visibility=Internal \
    -I Sources/DLCExport/Proto Sources/DLCExport/Proto/onnx.proto
echo "wrote Sources/DLCExport/Generated/onnx.pb.swift"
