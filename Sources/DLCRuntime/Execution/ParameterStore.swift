import DLCData
import DLCGraph

/// The trainable tensors of a model, allocated once and shared by every plan compiled from it.
public final class ParameterStore: @unchecked Sendable {
    public let infos: [ParameterInfo]
    /// One buffer per parameter, in `infos` order.
    public let tensors: [UnsafeMutableBufferPointer<Float>]

    /// Allocates and initializes every parameter from `seed` (one generator stream per tensor).
    public init(_ infos: [ParameterInfo], seed: UInt64) {
        self.infos = infos
        tensors = infos.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, $0.elementCount)) }
        for (index, info) in infos.enumerated() {
            var generator = SeededRandom(seed: seed, stream: 10_000 + UInt64(index))
            guard let base = tensors[index].baseAddress else { continue }
            if info.initializer == "ones" {
                base.update(repeating: 1, count: info.elementCount)
                continue
            }
            let kind = InitializerKind(rawValue: info.initializer) ?? .glorotUniform
            Kernels.initialize(base, count: info.elementCount, kind: kind, fanIn: info.fanIn, fanOut: info.fanOut, generator: &generator)
        }
    }

    deinit {
        for tensor in tensors { tensor.deallocate() }
    }

    public var pointers: [UnsafeMutablePointer<Float>] { tensors.map { $0.baseAddress! } }
    public var counts: [Int] { infos.map(\.elementCount) }
    /// The element counts of the trainable parameters, in order (what the optimizer holds state for).
    public var trainableCounts: [Int] { infos.filter(\.isTrainable).map(\.elementCount) }
    public var totalCount: Int { counts.reduce(0, +) }

    /// A copy of every value, for restoring the best epoch.
    public func snapshot() -> [[Float]] {
        tensors.map { Array($0) }
    }

    /// Restores a snapshot taken from this store.
    public func restore(_ snapshot: [[Float]]) {
        for (tensor, values) in zip(tensors, snapshot) where values.count == tensor.count {
            _ = tensor.update(fromContentsOf: values)
        }
    }

    /// Replaces the values of the parameter named `name`; false when the name or size does not match.
    @discardableResult
    public func load(name: String, values: [Float]) -> Bool {
        guard let index = infos.firstIndex(where: { $0.name == name }), tensors[index].count == values.count else { return false }
        _ = tensors[index].update(fromContentsOf: values)
        return true
    }
}
