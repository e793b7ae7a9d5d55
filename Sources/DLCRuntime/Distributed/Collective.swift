/// What the ranks of a data-parallel run do together: the trainer's only view of MPI (the
/// command line provides an implementation over Open MPI; one process is `SingleProcess`).
///
/// Every rank calls the same operations in the same order; an operation returns when every rank
/// has made it. A failing operation ends the whole job (MPI's default error handler), so none throws.
public protocol Collective: AnyObject, Sendable {
    /// This process's index, 0..<size.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Replaces `values` with their sum over every rank.
    func sum(_ values: UnsafeMutableBufferPointer<Float>)
    func sum(_ values: UnsafeMutableBufferPointer<Double>)
    /// Replaces `bytes` with the root's.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int)
    /// Every rank's `bytes` (all the same length), in rank order.
    func gather(_ bytes: [UInt8]) -> [[UInt8]]
}

extension Collective {
    public var isDistributed: Bool { size > 1 }

    /// Every rank's bytes, of any length, in rank order (lengths first, then each rank's bytes
    /// broadcast in turn).
    public func gatherVariable(_ bytes: [UInt8]) -> [[UInt8]] {
        guard size > 1 else { return [bytes] }
        let lengths = gather(withUnsafeBytes(of: Int64(bytes.count).littleEndian) { Array($0) }).map { data in
            Int(data.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) })
        }
        return lengths.enumerated().map { source, length in
            var buffer = source == rank ? bytes : [UInt8](repeating: 0, count: length)
            buffer.withUnsafeMutableBytes { broadcast($0, from: source) }
            return buffer
        }
    }

    /// Rank 0's bytes, of any length, on every rank.
    public func broadcastVariable(_ bytes: [UInt8]) -> [UInt8] {
        guard size > 1 else { return bytes }
        var length = Int64(bytes.count).littleEndian
        withUnsafeMutableBytes(of: &length) { broadcast($0, from: 0) }
        var buffer = rank == 0 ? bytes : [UInt8](repeating: 0, count: Int(Int64(littleEndian: length)))
        buffer.withUnsafeMutableBytes { broadcast($0, from: 0) }
        return buffer
    }

    /// Rank 0's values of every tensor, on every rank.
    public func broadcast(_ tensors: [UnsafeMutableBufferPointer<Float>]) {
        guard size > 1 else { return }
        for tensor in tensors where tensor.count > 0 { broadcast(UnsafeMutableRawBufferPointer(tensor), from: 0) }
    }
}

/// One process: every operation is the identity.
public final class SingleProcess: Collective {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func sum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func sum(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) {}
    public func gather(_ bytes: [UInt8]) -> [[UInt8]] { [bytes] }
}
