import DLCDiagnostics
import DLCSpec

/// Checks a sweep's points before anything trains: a combination of values that breaks a shape or
/// range rule is reported at the value, with the values that break it.
enum SweepPointCheck {
    static func problems(_ sweep: SweepSpec, spec: Spec, loaded: LoadedSpec, options: CheckOptions) -> [Diagnostic] {
        var options = options
        options.checksSweepPoints = false
        let bytes = Array(loaded.file.text.utf8)
        let base = Dictionary(spec.hyperparameters.map { ($0.name, ($0.override ?? ReferenceText.text($0.value))) }, uniquingKeysWith: { a, _ in a })
        var reported: Set<String> = []
        var diagnostics: [Diagnostic] = []
        for point in SweepPlan.checkPoints(sweep) {
            var pointLoaded = SpecLoader.load(bytes: bytes, path: loaded.file.path,
                                              overrides: options.overrides + point.map { ($0.name, $0.text) })
            pointLoaded.baseDirectory = loaded.baseDirectory
            let result = Checker.check(pointLoaded, options: options)
            guard let problem = result.diagnostics.first(where: { $0.severity == .error }) else { continue }
            let key = problem.code + problem.message
            guard reported.insert(key).inserted else { continue }
            let values = point.map { "\($0.name)=\($0.text)" }.joined(separator: ", ")
            var diagnostic = Diagnostic.error("sweep-point", "the sweep point `\(values)` breaks the spec: \(problem.message)",
                                              at: position(of: point, in: sweep, base: base,
                                                           blaming: problem.range.flatMap { reference(at: $0, in: loaded.file) }),
                                              help: problem.help + ["change or remove the values that break it"])
            if let range = problem.range { diagnostic = diagnostic.noting("the rule that breaks is here", at: range) }
            diagnostics.append(diagnostic)
        }
        return diagnostics
    }

    /// The `$name` a diagnostic points at, if it points at a reference.
    private static func reference(at range: SourceRange, in file: SourceFile) -> String? {
        guard range.start.line == range.end.line, let line = file.line(range.start.line) else { return nil }
        let scalars = Array(line.unicodeScalars)
        let start = range.start.column - 1, end = min(range.end.column - 1, scalars.count)
        guard start >= 0, start < end, scalars[start] == "$" else { return nil }
        return String(String.UnicodeScalarView(scalars[(start + 1)..<end]))
    }

    /// Where to report a breaking point: the value of the hyperparameter the broken rule refers to,
    /// else the first value that differs from the spec's own (its list item, or its range).
    private static func position(of point: [SweepValue], in sweep: SweepSpec, base: [String: String], blaming name: String?) -> SourceRange {
        if let name, let value = point.first(where: { $0.name == name }),
           let dimension = sweep.dimensions.first(where: { $0.name == name }) {
            if case .list(let items) = dimension.domain, let item = items.first(where: { $0.value == value.text }) { return item.range }
            return dimension.range
        }
        for (value, dimension) in zip(point, sweep.dimensions) where base[value.name] != value.text {
            if case .list(let items) = dimension.domain, let item = items.first(where: { $0.value == value.text }) { return item.range }
            return dimension.range
        }
        return sweep.dimensions.first?.range ?? sweep.range
    }
}

/// A resolved scalar as YAML text.
enum ReferenceText {
    static func text(_ value: YAMLScalar.Value) -> String {
        switch value {
        case .null: return ""
        case .bool(let flag): return String(flag)
        case .integer(let integer): return String(integer)
        case .number(let number): return String(number)
        case .string(let string): return string
        }
    }
}
