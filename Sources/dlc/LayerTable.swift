import DLCCheck

/// The per-layer table of a valid spec: name, kind, output shape, parameters, and the totals.
struct LayerTable {
    let model: CheckedModel
    let path: String

    func render() -> String {
        let freezes = model.layers.contains { !$0.spec.isTrainable }
        var rows = [["layer", "kind", "inputs", "output", "parameters"] + (freezes ? ["trains"] : [])]
        rows.append(["input", "", "", ShapeArithmetic.format(model.inputShape), ""] + (freezes ? [""] : []))
        for layer in model.layers {
            var row = [layer.name, layer.kind, layer.inputs.map(model.name(of:)).joined(separator: ", "),
                       ShapeArithmetic.format(layer.outputShape), Self.grouped(layer.parameterCount)]
            if freezes { row.append(layer.parameterCount == 0 ? "" : (layer.spec.isTrainable ? "yes" : "frozen")) }
            rows.append(row)
        }
        let columns = rows[0].count
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = "\(path): \(model.spec.name?.value ?? "model") is valid\n"
        for (index, row) in rows.enumerated() {
            var line = "  "
            for column in 0..<columns {
                let cell = row[column]
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                line += column == 4 ? padding + cell + (column == columns - 1 ? "" : "  ") : (column == columns - 1 ? cell : cell + padding + "  ")
            }
            out += line + "\n"
            if index == 0 { out += "  " + String(repeating: "-", count: widths.reduce(0, +) + 2 * (columns - 1)) + "\n" }
        }
        let frozen = model.frozenParameterCount
        var totals = "  total: \(Self.grouped(model.parameterCount - frozen)) trainable parameters"
        if frozen > 0 { totals += " + \(Self.grouped(frozen)) frozen" }
        if model.stateCount > 0 { totals += " + \(Self.grouped(model.stateCount)) running statistics" }
        totals += ", ~\(MemoryEstimate.format(bytes: model.trainingMemoryBytes)) to train"
        if let batch = model.spec.training?.batchSize.value { totals += " at batch size \(batch)" }
        out += totals + "\n"
        if let encoding = model.encoding, let data = model.spec.data, !data.columns.isEmpty || data.missing != nil || data.dropsMissingTarget || !encoding.isIdentity {
            out += FeatureTable(encoding: encoding).render()
            if let dropped = model.trainingData?.droppedRows, dropped > 0 {
                out += "  \(dropped) row\(dropped == 1 ? "" : "s") with a missing target left out (`missing_target: drop`)\n"
            }
        }
        return out
    }

    /// `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }
}
