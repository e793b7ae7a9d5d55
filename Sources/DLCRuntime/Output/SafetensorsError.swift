/// Why a safetensors checkpoint could not be written or read.
///
/// Reading treats the file as hostile: every length and offset is checked before use, so a
/// corrupt or truncated file is one of these errors and never a crash. Tensor names are quoted
/// as found in the header.
public enum SafetensorsError: Error, Sendable, Hashable {
    /// No file at the path.
    case fileNotFound(path: String)
    /// The file exists but cannot be read (a directory, no permission, ...).
    case unreadable(path: String, reason: String)
    /// Writing the file failed; `reason` is the operating system's message.
    case unwritable(path: String, reason: String)
    /// Fewer than the 8 bytes that hold the header length.
    case tooShort(byteCount: Int)
    /// The header length is over the 100 MiB limit (the reference implementation's guard).
    case headerTooLarge(length: UInt64)
    /// The header length runs past the end of the file.
    case headerPastEnd(length: UInt64, available: Int)
    /// The header is not UTF-8, not JSON, or not shaped like a safetensors header.
    case invalidHeader(reason: String)
    /// Two header entries, or two tensors given to `encode`, share a name.
    case duplicateName(String)
    /// A tensor named `__metadata__`, which the format reserves for the metadata map.
    case reservedName
    /// A dtype other than `F32`; dlc reads and writes float32 tensors only.
    case unsupportedDtype(tensor: String, dtype: String)
    /// A shape whose element count overflows, or negative dimensions given to `encode`.
    case invalidShape(tensor: String, shape: [Int])
    /// `encode` was given a tensor whose value count is not the product of its shape.
    case valueCountMismatch(tensor: String, shape: [Int], valueCount: Int)
    /// `data_offsets` that are reversed or end past the data section.
    case offsetsOutOfRange(tensor: String, begin: Int, end: Int, dataLength: Int)
    /// `data_offsets` whose length is not 4 bytes times the shape's element count.
    case sizeMismatch(tensor: String, shape: [Int], byteCount: Int)
    /// A tensor whose data starts inside the previous tensor's data.
    case overlappingOffsets(tensor: String, begin: Int, previousEnd: Int)
    /// Bytes of the data section, before `begin`, that no tensor claims.
    case gapBeforeTensor(tensor: String, begin: Int, previousEnd: Int)
    /// Bytes at the end of the data section that no tensor claims.
    case trailingData(byteCount: Int)
}

extension SafetensorsError: CustomStringConvertible {
    /// One lowercase line in the style of the compiler's diagnostics, without a trailing period.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "no such file `\(path)`"
        case .unreadable(let path, let reason):
            return "cannot read `\(path)`: \(reason)"
        case .unwritable(let path, let reason):
            return "cannot write `\(path)`: \(reason)"
        case .tooShort(let byteCount):
            return "not a safetensors file: \(byteCount) bytes, fewer than the 8-byte header length"
        case .headerTooLarge(let length):
            return "not a safetensors file: header length \(length) is over the 100 MiB limit"
        case .headerPastEnd(let length, let available):
            return "truncated safetensors file: header length \(length) but only \(available) bytes follow"
        case .invalidHeader(let reason):
            return "invalid safetensors header: \(reason)"
        case .duplicateName(let name):
            return "tensor `\(name)` appears twice"
        case .reservedName:
            return "a tensor cannot be named `__metadata__`, the name safetensors reserves for metadata"
        case .unsupportedDtype(let tensor, let dtype):
            return "tensor `\(tensor)` has dtype `\(dtype)`; dlc supports only `F32` tensors"
        case .invalidShape(let tensor, let shape):
            return "tensor `\(tensor)` has an invalid shape \(shape)"
        case .valueCountMismatch(let tensor, let shape, let valueCount):
            return "tensor `\(tensor)` has shape \(shape) but \(valueCount) values"
        case .offsetsOutOfRange(let tensor, let begin, let end, let dataLength):
            return "tensor `\(tensor)` has data_offsets [\(begin), \(end)] outside the \(dataLength)-byte data section"
        case .sizeMismatch(let tensor, let shape, let byteCount):
            return "tensor `\(tensor)` has shape \(shape) but \(byteCount) bytes of data (F32 needs 4 per element)"
        case .overlappingOffsets(let tensor, let begin, let previousEnd):
            return "tensor `\(tensor)` starts at byte \(begin), inside the previous tensor, which ends at \(previousEnd)"
        case .gapBeforeTensor(let tensor, let begin, let previousEnd):
            return "bytes \(previousEnd)..<\(begin) before tensor `\(tensor)` belong to no tensor"
        case .trailingData(let byteCount):
            return "the last \(byteCount) bytes of the data section belong to no tensor (truncated header or corrupt file)"
        }
    }
}
