extension FeatureEncoding {
    /// Fits the encoding of `table`'s columns on the examples `trainingRows` (the training split).
    ///
    /// Number columns get their fill value from the training rows' present cells (mean, median
    /// or zero, as `types` says) and an indicator when `types` asks for one and a training cell is
    /// missing; category columns keep the values the training rows hold, in the table's sorted
    /// order, and a slot for a missing cell when a training cell is missing.
    public static func fit(_ types: ColumnTypes, to table: RawTable, trainingRows: [Int]) -> FeatureEncoding {
        let width = table.columns.count
        let cells = table.dataset.features
        var columns: [Column] = []
        for (position, raw) in table.columns.enumerated() {
            switch raw.kind {
            case .number:
                var present: [Float] = []
                present.reserveCapacity(trainingRows.count)
                for row in trainingRows {
                    let value = cells[row * width + position]
                    if !value.isNaN { present.append(value) }
                }
                let missing = present.count < trainingRows.count
                let fill: Float?
                switch types.missingPolicy(of: raw.name) {
                case .error: fill = nil
                case .zero: fill = 0
                case .mean: fill = present.isEmpty ? 0 : Float(present.reduce(0.0) { $0 + Double($1) } / Double(present.count))
                case .median: fill = median(&present)
                }
                columns.append(Column(name: raw.name, kind: .number(fill: fill, indicator: missing && types.indicates(raw.name))))
            case .category(let values):
                if case .text(let tokenizer, let length, let limit)? = types.declared[raw.name] {
                    // Each distinct text tokenized once, its tokens counted as often as training rows hold it.
                    var counts = [Int](repeating: 0, count: values.count)
                    for row in trainingRows {
                        let code = cells[row * width + position]
                        if !code.isNaN { counts[Int(code)] += 1 }
                    }
                    let vocabulary = tokenizer.vocabulary(of: values, counts: counts, length: length, limit: limit)
                    columns.append(Column(name: raw.name, kind: .text(vocabulary: vocabulary, tokenizer: tokenizer, length: length)))
                    continue
                }
                var seen = [Bool](repeating: false, count: values.count)
                var hasMissing = false
                for row in trainingRows {
                    let code = cells[row * width + position]
                    if code.isNaN { hasMissing = true } else { seen[Int(code)] = true }
                }
                let kept = values.indices.filter { seen[$0] }.map { values[$0] }
                if case .category(let embedding?)? = types.declared[raw.name] {
                    columns.append(Column(name: raw.name, kind: .embedding(values: kept, hasMissing: hasMissing, dimension: embedding)))
                } else {
                    columns.append(Column(name: raw.name, kind: .oneHot(values: kept, hasMissing: hasMissing)))
                }
            }
        }
        return FeatureEncoding(columns: columns, missingValues: types.missingValues)
    }

    /// The median of `values` (the mean of the middle two for an even count); 0 when there are none.
    static func median(_ values: inout [Float]) -> Float {
        guard !values.isEmpty else { return 0 }
        values.sort()
        let middle = values.count / 2
        if values.count % 2 == 1 { return values[middle] }
        return Float((Double(values[middle - 1]) + Double(values[middle])) / 2)
    }

    /// The column types that read a new file for this encoding: its category columns as categories.
    public var columnTypes: ColumnTypes {
        var declared: [String: ColumnTypes.Kind] = [:]
        for column in columns {
            switch column.kind {
            case .number: declared[column.name] = .number(missing: nil, indicator: nil)
            case .oneHot: declared[column.name] = .category(embedding: nil)
            case .embedding(_, _, let dimension): declared[column.name] = .category(embedding: dimension)
            case .text(let vocabulary, let tokenizer, let length):
                declared[column.name] = .text(tokenizer, length: length, vocabulary: TextTokenizer.firstTokenID + vocabulary.count)
            }
        }
        return ColumnTypes(declared: declared, missingValues: missingValues)
    }
}
