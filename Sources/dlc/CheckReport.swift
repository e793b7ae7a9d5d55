import DLCCheck
import DLCDiagnostics

/// What `dlc check` prints for a set of results, in one of the three formats.
struct CheckReport {
    let results: [CheckResult]
    let format: DiagnosticFormat
    let quiet: Bool
    let color: Bool

    func render() -> String {
        switch format {
        case .json:
            return DiagnosticRenderer.json(results.flatMap { result in result.diagnostics.map { (result.file.path, $0) } })
        case .github:
            return results.flatMap { result in result.diagnostics.map { DiagnosticRenderer.github($0, path: result.file.path) } }.joined()
        case .text:
            return text()
        }
    }

    private func text() -> String {
        var blocks: [String] = []
        for result in results {
            var block = ""
            if !result.diagnostics.isEmpty {
                block += DiagnosticRenderer.text(result.diagnostics, in: result.file, color: color)
            }
            if !quiet, let model = result.model {
                if !block.isEmpty { block += "\n" }
                block += LayerTable(model: model, path: result.file.path).render()
            }
            if !block.isEmpty { blocks.append(block) }
        }
        var out = blocks.joined(separator: "\n")
        if results.count > 1 || !quiet || results.contains(where: { !$0.diagnostics.isEmpty }) {
            if !out.isEmpty { out += "\n" }
            out += summary()
        }
        return out
    }

    private func summary() -> String {
        let errors = results.reduce(0) { $0 + $1.diagnostics.filter { $0.severity == .error }.count }
        let warnings = results.reduce(0) { $0 + $1.diagnostics.filter { $0.severity == .warning }.count }
        let failed = results.filter(\.hasErrors).count
        var parts = ["\(results.count) spec\(results.count == 1 ? "" : "s") checked"]
        parts.append(failed == 0 ? "all valid" : "\(failed) with errors")
        if errors > 0 { parts.append("\(errors) error\(errors == 1 ? "" : "s")") }
        if warnings > 0 { parts.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
        return parts.joined(separator: ", ") + "\n"
    }
}
