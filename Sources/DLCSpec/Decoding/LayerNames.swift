import DLCDiagnostics

/// The layer names a `from:` can see while the layer list expands.
///
/// A name is written once but may stand for several layers: inside `repeat`, each iteration opens a
/// scope of its own, where the written name means that iteration's layer and whose expanded name
/// carries the iteration (`conv.1`; nested blocks append each index, outermost first). Outside the
/// block, only the expanded names reach those layers.
struct LayerNames {
    /// One iteration of one `repeat` block.
    struct Iteration: Equatable {
        var block: Int
        var index: Int
    }

    struct Definition {
        var expanded: String
        var range: SourceRange
        /// The iterations the layer was defined in, outermost first.
        var context: [Iteration]
    }

    /// The model's input.
    static let input = "input"
    /// The model's other inputs a `from:` may name: each text column, and `features` (the data's
    /// other columns), when the spec declares a text column.
    var inputs: Set<String> = []

    /// Every layer by expanded name.
    private(set) var byExpandedName: [String: Definition] = [:]
    /// The names as written, per open iteration (the first: the top level).
    private var scopes: [[String: Definition]] = [[:]]
    private(set) var context: [Iteration] = []
    private var blockCount = 0
    /// Names written inside closed `repeat` blocks: the block's count range and each iteration's name.
    private var repeatedNames: [String: (repeatRange: SourceRange, expanded: [String])] = [:]
    private var openRepeatRanges: [SourceRange] = []
    /// The expanded name of the value the next layer reads unless it says `from:`.
    var previous = LayerNames.input

    /// The expanded name of a layer written `name` here.
    func expanded(_ name: String) -> String {
        context.isEmpty ? name : name + context.map { ".\($0.index)" }.joined()
    }

    /// Opens a `repeat` block; `iteration` then `endIteration` for each copy; `endBlock` closes it.
    mutating func beginBlock(repeatRange: SourceRange) -> Int {
        blockCount += 1
        openRepeatRanges.append(repeatRange)
        return blockCount
    }

    mutating func beginIteration(block: Int, index: Int) {
        context.append(Iteration(block: block, index: index))
        scopes.append([:])
    }

    mutating func endIteration() {
        guard let scope = scopes.popLast() else { return }
        context.removeLast()
        let repeatRange = openRepeatRanges.last ?? SourceRange(at: SourceLocation(line: 1, column: 1))
        for (written, definition) in scope {
            repeatedNames[written, default: (repeatRange, [])].expanded.append(definition.expanded)
        }
    }

    mutating func endBlock() {
        openRepeatRanges.removeLast()
    }

    /// The first definition a new layer named `written` (`expanded` once expanded) would clash with.
    func clash(written: String?, expanded: String) -> Definition? {
        if let existing = byExpandedName[expanded] { return existing }
        guard let written else { return nil }
        for scope in scopes.reversed() {
            if let existing = scope[written] { return existing }
        }
        return nil
    }

    /// Records a layer; `written` is its `name:` as written (nil for a `KIND_INDEX` name).
    mutating func define(written: String?, expanded: String, at range: SourceRange) {
        let definition = Definition(expanded: expanded, range: range, context: context)
        byExpandedName[expanded] = definition
        if let written { scopes[scopes.count - 1][written] = definition }
        previous = expanded
    }

    /// What `from: NAME` names from here.
    enum Resolution {
        case found(String)
        /// A layer of another iteration of an enclosing `repeat` block.
        case otherIteration(Definition)
        /// A name written inside a closed `repeat` block: one layer per iteration.
        case repeated(repeatRange: SourceRange, expanded: [String])
        case unknown
    }

    func resolve(_ name: String) -> Resolution {
        if name == Self.input || inputs.contains(name) { return .found(name) }
        for scope in scopes.reversed() {
            if let definition = scope[name] { return .found(definition.expanded) }
        }
        if let definition = byExpandedName[name] {
            // Inside a block, `conv.0` from iteration 1 reads across iterations: the block's text is
            // the same for each, so it cannot mean one layer in all of them.
            for iteration in definition.context {
                if let open = context.first(where: { $0.block == iteration.block }), open.index != iteration.index {
                    return .otherIteration(definition)
                }
            }
            return .found(definition.expanded)
        }
        if let repeated = repeatedNames[name] { return .repeated(repeatRange: repeated.repeatRange, expanded: repeated.expanded) }
        return .unknown
    }

    /// The names a `from:` can use here, for "did you mean".
    var visibleNames: [String] {
        var names = Set(byExpandedName.keys)
        for scope in scopes { names.formUnion(scope.keys) }
        return [Self.input] + inputs.sorted() + names.sorted()
    }
}
