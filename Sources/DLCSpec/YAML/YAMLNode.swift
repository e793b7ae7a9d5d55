import DLCDiagnostics

/// One node of a YAML document, with the 1-based range of its text.
///
/// Nodes are shared, not copied, where an alias refers to an anchor, so a document's memory is
/// bounded by its text; `expandedSize` counts nodes as if every alias were expanded.
public final class YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public let content: Content
    public let range: SourceRange
    /// An explicit tag such as `!!str`, if the text had one.
    public let tag: String?
    /// The number of nodes with every alias expanded.
    public let expandedSize: Int

    public init(_ content: Content, range: SourceRange, tag: String? = nil) {
        self.content = content
        self.range = range
        self.tag = tag
        switch content {
        case .scalar:
            expandedSize = 1
        case .sequence(let items):
            expandedSize = items.reduce(1) { $0.addingClamped($1.expandedSize) }
        case .mapping(let pairs):
            expandedSize = pairs.reduce(1) { $0.addingClamped($1.key.expandedSize).addingClamped($1.value.expandedSize) }
        }
    }

    /// The scalar, if this node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// The pairs, if this node is a mapping.
    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The items, if this node is a sequence.
    public var items: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// A short description of what the node is, for messages: "a mapping", "the string `abc`".
    public var kindDescription: String {
        switch content {
        case .scalar(let scalar): return scalar.valueDescription
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// A key and its value in a mapping.
public struct YAMLPair: Sendable {
    public let key: YAMLNode
    public let value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }

    /// The key's text when the key is a scalar.
    public var keyText: String? { key.scalar?.text }
}

extension Int {
    func addingClamped(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
