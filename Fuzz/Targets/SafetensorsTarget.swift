import DLCData
#if canImport(DLCRuntime)
import DLCRuntime
#endif
import Foundation

/// Checkpoint bytes through `Safetensors.decode` (header JSON, dtypes, shapes, offsets) and,
/// when they decode, what `eval` and `predict` read from the metadata: the column encoding.
/// A decoded file must encode back to bytes that decode to the same tensors.
enum SafetensorsTarget {
    static func run(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let bytes = Array(UnsafeBufferPointer(start: data, count: size))
        guard let decoded = try? Safetensors.decode(bytes) else { return }
        if let text = decoded.metadata["encoding"], let json = text.data(using: .utf8) {
            _ = try? JSONDecoder().decode(FeatureEncoding.self, from: json)
        }
        guard let again = try? Safetensors.encode(decoded.tensors, metadata: decoded.metadata),
              let roundTrip = try? Safetensors.decode(again) else {
            preconditionFailure("a decoded checkpoint did not encode and decode again")
        }
        precondition(roundTrip.metadata == decoded.metadata, "metadata changed in a round trip")
        precondition(roundTrip.tensors.count == decoded.tensors.count, "tensors lost in a round trip")
        for (first, second) in zip(roundTrip.tensors, decoded.tensors) {
            precondition(first.isBitwiseEqual(to: second), "tensor \(first.name) changed in a round trip")
        }
    }
}
