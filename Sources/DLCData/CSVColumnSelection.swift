/// Which header columns a CSV source uses as its target and as its features.
struct CSVColumnSelection {
    /// The target columns' indices, in the order the spec lists them.
    var targetIndices: [Int]
    /// The feature columns' indices: the spec's order, or the header's when it lists none.
    var featureIndices: [Int]

    /// Looks `target` and `features` (nil = every non-target column) up in `header`.
    ///
    /// `allowsNoTarget` (for `predict`) accepts an empty `target`.
    /// Every named column must exist (`.missingColumn`); a name listed twice, a column that is
    /// both target and feature, and an empty selection are `.malformed` errors about `path`.
    init(header: [String], target: [String], features: [String]?, path: String, allowsNoTarget: Bool = false) throws(DataError) {
        var indexOfName: [String: Int] = [:]
        for (index, name) in header.enumerated() { indexOfName[name] = index }
        func problem(_ message: String) -> DataError {
            .malformed(path: path, line: nil, column: nil, message: message)
        }
        func lookUp(_ names: [String], role: String) throws(DataError) -> [Int] {
            var indices: [Int] = []
            var seen = Set<String>()
            for name in names {
                guard let index = indexOfName[name] else {
                    throw .missingColumn(column: name, available: header)
                }
                guard seen.insert(name).inserted else {
                    throw problem("\(role) column `\(name)` is listed twice")
                }
                indices.append(index)
            }
            return indices
        }

        guard !target.isEmpty || allowsNoTarget else { throw problem("no target column given") }
        targetIndices = try lookUp(target, role: "target")
        let targetSet = Set(targetIndices)
        if let features {
            guard !features.isEmpty else { throw problem("the feature list is empty; name at least one column") }
            featureIndices = try lookUp(features, role: "feature")
            if let both = featureIndices.first(where: targetSet.contains) {
                throw problem("column `\(header[both])` is both the target and a feature")
            }
        } else {
            featureIndices = header.indices.filter { !targetSet.contains($0) }
            guard !featureIndices.isEmpty else {
                throw problem("no feature columns: every column of the header is a target")
            }
        }
    }
}
