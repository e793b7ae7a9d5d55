/// The type and range of one option's value, as the checker enforces it and the schema states it.
public indirect enum OptionType: Sendable {
    /// A whole number in `minimum...maximum`.
    case integer(minimum: Int?, maximum: Int?)
    /// A real number; bounds are inclusive unless marked exclusive.
    case number(minimum: Double?, minimumExclusive: Bool, maximum: Double?, maximumExclusive: Bool)
    case boolean
    /// Free text.
    case string
    /// An identifier: letters, digits, `_`, `-` and `.`, starting with a letter.
    case identifier
    /// A path to a file, relative to the spec's folder.
    case path
    /// One of a fixed set of names.
    case choice([String])
    /// A positive size given as one integer (`3`) or as `[height, width]`.
    case size2D
    /// A list of items, with at least `minimumCount` of them.
    case list(OptionType, minimumCount: Int)
    /// One name, or a list of names.
    case nameOrNames
    /// A nested section, described by its own definitions; `phrase` says what it is ("a mapping").
    case section(String)

    /// A number `> 0`.
    public static let positiveNumber = OptionType.number(minimum: 0, minimumExclusive: true, maximum: nil, maximumExclusive: false)
    /// A number `>= 0`.
    public static let nonNegativeNumber = OptionType.number(minimum: 0, minimumExclusive: false, maximum: nil, maximumExclusive: false)
    /// A number in `[0, 1)`.
    public static let unitIntervalOpenTop = OptionType.number(minimum: 0, minimumExclusive: false, maximum: 1, maximumExclusive: true)
    /// A number in `(0, 1)`.
    public static let openUnitInterval = OptionType.number(minimum: 0, minimumExclusive: true, maximum: 1, maximumExclusive: true)
    /// An integer `>= 1`.
    public static let positiveInteger = OptionType.integer(minimum: 1, maximum: nil)
    /// An integer `>= 0`.
    public static let nonNegativeInteger = OptionType.integer(minimum: 0, maximum: nil)

    /// What the type is, for messages: "an integer", "a number in (0, 1)".
    public var phrase: String {
        switch self {
        case .integer(let minimum, let maximum):
            switch (minimum, maximum) {
            case (1?, nil): return "a positive integer"
            case (let low?, nil): return "an integer >= \(low)"
            case (let low?, let high?): return "an integer from \(low) to \(high)"
            case (nil, let high?): return "an integer <= \(high)"
            case (nil, nil): return "an integer"
            }
        case .number(let minimum, let minimumExclusive, let maximum, let maximumExclusive):
            switch (minimum, maximum) {
            case (let low?, let high?):
                return "a number in \(minimumExclusive ? "(" : "[")\(Self.format(low)), \(Self.format(high))\(maximumExclusive ? ")" : "]")"
            case (let low?, nil): return "a number \(minimumExclusive ? ">" : ">=") \(Self.format(low))"
            case (nil, let high?): return "a number \(maximumExclusive ? "<" : "<=") \(Self.format(high))"
            case (nil, nil): return "a number"
            }
        case .boolean: return "`true` or `false`"
        case .string: return "a string"
        case .identifier: return "a name"
        case .path: return "a file path"
        case .choice(let names): return "one of " + names.map { "`\($0)`" }.joined(separator: ", ")
        case .size2D: return "a positive integer or a list `[height, width]`"
        case .list(let item, _): return "a list of \(item.pluralPhrase)"
        case .nameOrNames: return "a column name or a list of names"
        case .section(let phrase): return phrase
        }
    }

    var pluralPhrase: String {
        switch self {
        case .integer(1?, nil): return "positive integers"
        case .integer: return "integers"
        case .number: return "numbers"
        case .identifier, .string, .path, .nameOrNames: return "names"
        case .choice(let names): return "names (" + names.map { "`\($0)`" }.joined(separator: ", ") + ")"
        default: return "values"
        }
    }

    /// Formats a bound without a needless `.0`.
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}

/// One option of a layer, loss, optimizer or section.
public struct OptionDefinition: Sendable {
    public let name: String
    public let type: OptionType
    public let isRequired: Bool
    /// The default, as YAML text, for documentation and the schema.
    public let defaultValue: String?
    public let summary: String

    public init(_ name: String, _ type: OptionType, required: Bool = false, default defaultValue: String? = nil, _ summary: String) {
        self.name = name
        self.type = type
        self.isRequired = required
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

/// A named thing with options: a layer kind, a loss, an optimizer, a schedule.
public struct KindDefinition: Sendable {
    public let name: String
    public let summary: String
    public let options: [OptionDefinition]

    public init(_ name: String, _ summary: String, options: [OptionDefinition] = []) {
        self.name = name
        self.summary = summary
        self.options = options
    }

    /// Whether the kind may be written bare, without options.
    public var allowsBareName: Bool { !options.contains(where: \.isRequired) }

    public func option(_ name: String) -> OptionDefinition? {
        options.first { $0.name == name }
    }
}
