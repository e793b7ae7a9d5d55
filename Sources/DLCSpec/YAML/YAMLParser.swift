import CYAML
import DLCDiagnostics
import Foundation

/// Parses YAML text into a `YAMLNode` tree with libyaml's event API.
///
/// Never crashes or hangs on any input: the text's size, nesting depth and alias expansion are
/// bounded, and every problem is a diagnostic at its position.
public struct YAMLParser {
    public struct Limits: Sendable {
        /// Largest accepted file, in bytes.
        public var maximumBytes = 1 << 20
        /// Deepest accepted nesting of lists and mappings.
        public var maximumDepth = 64
        /// Most nodes a document may have with every alias expanded.
        public var maximumExpandedNodes = 100_000

        public init() {}
    }

    public var limits = Limits()

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// The root node (`nil` when the text has no usable document) and every problem found.
    public func parse(_ input: [UInt8]) -> (root: YAMLNode?, diagnostics: [Diagnostic]) {
        // A UTF-8 byte-order mark is not text: editors do not count it as a column.
        let bytes = input.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(input.dropFirst(3)) : input
        if bytes.count > limits.maximumBytes {
            return (nil, [.error(
                "file-too-large",
                "the file is \(bytes.count) bytes; specs may be at most \(limits.maximumBytes) bytes",
                at: nil,
                help: ["a model spec is a few hundred lines; keep data in `data:` files, not in the spec"]
            )])
        }
        if let invalid = TextScan.firstInvalidUTF8(bytes) {
            return (nil, [.error("invalid-utf8", "the file is not valid UTF-8", at: SourceRange(at: invalid),
                                 help: ["save the file as UTF-8"])])
        }
        let tabs = TextScan.indentationTabs(bytes)
        if !tabs.isEmpty {
            return (nil, tabs.map {
                .error("tab-indentation", "tab in indentation; YAML indents with spaces only",
                       at: $0, help: ["replace the tab with spaces"])
            })
        }
        if TextScan.isBlank(bytes) {
            let what = bytes.contains(UInt8(ascii: "#")) ? "the file holds only comments" : "the file is empty"
            return (nil, [.error("empty-file", what, at: nil,
                                 help: ["a spec needs at least `name`, `model`, `loss` and `optimizer`"])])
        }
        var builder = YAMLTreeBuilder(limits: limits)
        bytes.withUnsafeBufferPointer { buffer in
            builder.run(buffer)
        }
        return (builder.root, builder.diagnostics)
    }

    /// Parses the UTF-8 bytes of a string.
    public func parse(_ text: String) -> (root: YAMLNode?, diagnostics: [Diagnostic]) {
        parse(Array(text.utf8))
    }
}

/// Drives libyaml's parser over a buffer and assembles nodes with an explicit stack (no recursion).
struct YAMLTreeBuilder {
    private struct Frame {
        let isMapping: Bool
        let start: SourceLocation
        let tag: String?
        let anchor: String?
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        /// Nodes so far with aliases expanded, this collection included.
        var size = 1
    }

    let limits: YAMLParser.Limits
    private(set) var root: YAMLNode?
    private(set) var diagnostics: [Diagnostic] = []
    private var stack: [Frame] = []
    private var anchors: [String: YAMLNode] = [:]
    private var documentCount = 0

    init(limits: YAMLParser.Limits) {
        self.limits = limits
    }

    mutating func run(_ buffer: UnsafeBufferPointer<UInt8>) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            preconditionFailure("internal: libyaml could not allocate its parser")
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                diagnostics.append(Self.syntaxError(parser, buffer: buffer))
                return
            }
            let type = event.type
            let keepGoing = handle(&event)
            yaml_event_delete(&event)
            if !keepGoing || type == YAML_STREAM_END_EVENT { return }
        }
    }

    /// Handles one event; false stops the parse.
    private mutating func handle(_ event: inout yaml_event_t) -> Bool {
        let start = Self.location(event.start_mark)
        let range = SourceRange(start: start, end: Self.location(event.end_mark))
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documentCount += 1
            if documentCount > 1 {
                diagnostics.append(.error(
                    "multiple-documents", "the file holds more than one YAML document", at: range,
                    help: ["a spec is one document: remove this `---` and what follows, or put it in its own file"]))
                return false
            }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = Self.string(scalar.value, length: scalar.length)
            let tag = Self.optionalString(scalar.tag)
            let node = YAMLNode(.scalar(YAMLScalar(text: text, style: Self.style(scalar.style), tag: tag)), range: range, tag: tag)
            return add(node, anchor: Self.optionalString(scalar.anchor))
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            guard stack.count < limits.maximumDepth else { return tooDeep(range) }
            stack.append(Frame(isMapping: false, start: start, tag: Self.optionalString(data.tag), anchor: Self.optionalString(data.anchor)))
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            guard stack.count < limits.maximumDepth else { return tooDeep(range) }
            stack.append(Frame(isMapping: true, start: start, tag: Self.optionalString(data.tag), anchor: Self.optionalString(data.anchor)))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            return closeCollection(end: range.end)
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor, length: nil)
            guard let target = anchors[name] else {
                diagnostics.append(.error("unknown-anchor", "alias `*\(name)` refers to no anchor defined before it", at: range,
                                          help: Suggestion.didYouMean(name, among: anchors.keys).map { [$0] } ?? []))
                return false
            }
            return add(target, anchor: nil, aliasRange: range)
        default:
            break
        }
        return true
    }

    private mutating func closeCollection(end: SourceLocation) -> Bool {
        guard let frame = stack.popLast() else { preconditionFailure("internal: unbalanced YAML events") }
        let range = SourceRange(start: frame.start, end: end)
        let content: YAMLNode.Content = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
        return add(YAMLNode(content, range: range, tag: frame.tag), anchor: frame.anchor)
    }

    /// Adds a finished node to its parent (or makes it the root); false stops the parse.
    private mutating func add(_ node: YAMLNode, anchor: String?, aliasRange: SourceRange? = nil) -> Bool {
        // The running total of the whole document bounds alias expansion ("billion laughs").
        let total = stack.reduce(node.expandedSize) { $0.addingClamped($1.size) }
        if total > limits.maximumExpandedNodes {
            diagnostics.append(.error(
                "alias-expansion", "aliases expand this document past \(limits.maximumExpandedNodes) nodes",
                at: aliasRange ?? node.range,
                help: ["a spec never needs this many values; this looks like an alias bomb (\"billion laughs\")"]))
            return false
        }
        if let anchor { anchors[anchor] = node }
        guard var top = stack.popLast() else {
            root = node
            return true
        }
        top.size = top.size.addingClamped(node.expandedSize)
        if !top.isMapping {
            top.items.append(node)
        } else if let key = top.pendingKey {
            top.pairs.append(YAMLPair(key: key, value: node))
            top.pendingKey = nil
        } else {
            checkKey(node, aliasRange: aliasRange, against: top.pairs)
            top.pendingKey = node
        }
        stack.append(top)
        return true
    }

    private mutating func checkKey(_ key: YAMLNode, aliasRange: SourceRange?, against pairs: [YAMLPair]) {
        guard let text = key.scalar?.text else {
            diagnostics.append(.error("complex-key", "mapping keys must be plain names, not \(key.kindDescription)",
                                      at: aliasRange ?? key.range, help: ["write the key as a plain word, like `units`"]))
            return
        }
        if let first = pairs.first(where: { $0.keyText == text }) {
            diagnostics.append(.error(
                "duplicate-key", "duplicate key `\(text)`", at: aliasRange ?? key.range,
                help: ["remove one of the two; YAML does not allow a key twice in one mapping"],
                notes: [DiagnosticNote("`\(text)` was first set here", at: first.key.range)]))
        }
    }

    private mutating func tooDeep(_ range: SourceRange) -> Bool {
        diagnostics.append(.error("too-deep", "lists and mappings nest deeper than \(limits.maximumDepth) levels here",
                                  at: range, help: ["a spec is a few levels deep; check the brackets and indentation"]))
        return false
    }

    // MARK: - libyaml conversions

    private static func syntaxError(_ parser: yaml_parser_t, buffer: UnsafeBufferPointer<UInt8>) -> Diagnostic {
        var problem = optionalString(parser.problem) ?? "unknown problem"
        let location: SourceLocation
        if parser.error == YAML_READER_ERROR {
            location = Self.location(ofByte: parser.problem_offset, in: buffer)
            if parser.problem_value >= 0 { problem += " (found byte 0x" + String(parser.problem_value, radix: 16, uppercase: true) + ")" }
        } else {
            location = Self.location(parser.problem_mark)
        }
        // An unclosed quote or bracket is found at the end; the place to fix is where it opened.
        if let context = optionalString(parser.context), YAMLSyntaxHelp.isUnclosed(problem, context: context) {
            let opened = Self.location(parser.context_mark)
            return Diagnostic.error("yaml-syntax", "invalid YAML: \(YAMLSyntaxHelp.unclosedMessage(context: context))", at: SourceRange(at: opened))
                .noting("the parser gave up here: \(problem)", at: SourceRange(at: location))
                .helping(YAMLSyntaxHelp.advice(for: problem))
        }
        var diagnostic = Diagnostic.error("yaml-syntax", "invalid YAML: \(problem)", at: SourceRange(at: location))
        if let context = optionalString(parser.context), Self.location(parser.context_mark) != location {
            diagnostic = diagnostic.noting(context, at: SourceRange(at: Self.location(parser.context_mark)))
        }
        return diagnostic.helping(YAMLSyntaxHelp.advice(for: problem))
    }

    /// The line and column of a byte offset, counting columns in Unicode scalars.
    static func location(ofByte offset: Int, in buffer: UnsafeBufferPointer<UInt8>) -> SourceLocation {
        var line = 1, column = 1
        for byte in buffer.prefix(max(0, offset)) {
            if byte == 0x0A { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return SourceLocation(line: line, column: column)
    }

    static func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private static func style(_ style: yaml_scalar_style_t) -> YAMLScalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: return .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: return .literal
        case YAML_FOLDED_SCALAR_STYLE: return .folded
        default: return .plain
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int?) -> String {
        guard let pointer else { return "" }
        let count = length ?? strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    private static func optionalString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { string($0, length: nil) }
    }

    private static func optionalString(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
