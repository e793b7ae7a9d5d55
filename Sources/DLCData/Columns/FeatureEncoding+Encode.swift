extension FeatureEncoding {
    /// What encoding a table gave, besides its features.
    public struct Outcome: Sendable {
        /// The encoded examples: `[count, dataWidth]` features and the table's labels or targets.
        public var dataset: Dataset
        /// Per category column, the cells whose value the training split never held; per text
        /// column, the tokens its vocabulary lacks (each encoded as id 1).
        public var unseen: [String: Int]
    }

    /// Encodes every row of `table`, whose columns are matched to this encoding's by name.
    ///
    /// A column the encoding needs and the table lacks is a `.missingColumn` error; a missing
    /// number cell in a column without a fill value is an error at its first such cell. A
    /// category never seen in training encodes as all zeros (one-hot) or id 0 (embedding), and
    /// is counted in ``Outcome/unseen``.
    public func encode(_ table: RawTable) throws(DataError) -> Outcome {
        var positionOf: [String: Int] = [:]
        for (position, column) in table.columns.enumerated() { positionOf[column.name] = position }
        let rawWidth = table.columns.count, count = table.dataset.count
        let outputWidth = dataWidth
        var features = [Float](repeating: 0, count: count * outputWidth)
        var unseen: [String: Int] = [:]
        var denseOffset = 0, idOffset = denseWidth
        var textOffset = denseWidth + embeddings.count
        for column in columns {
            guard let position = positionOf[column.name] else {
                throw .missingColumn(column: column.name, available: table.columns.map(\.name))
            }
            let raw = table.columns[position]
            switch column.kind {
            case .number(let fill, let indicator):
                guard case .number = raw.kind else { throw notNumbers(raw, path: table.path) }
                if fill == nil, raw.missingCount > 0 {
                    let location = raw.firstMissing ?? CellLocation(line: 1, column: 1)
                    throw .malformed(path: table.path, line: location.line, column: location.column,
                                     message: "missing value in column `\(raw.name)` (\(raw.missingCount) in all); set `data.missing` to `mean`, `median` or `zero` to fill such cells")
                }
                let filler = fill ?? 0
                table.dataset.features.withUnsafeBufferPointer { cells in
                    features.withUnsafeMutableBufferPointer { output in
                        for row in 0..<count {
                            let value = cells[row * rawWidth + position]
                            let out = row * outputWidth + denseOffset
                            if value.isNaN {
                                output[out] = filler
                                if indicator { output[out + 1] = 1 }
                            } else {
                                output[out] = value
                            }
                        }
                    }
                }
            case .text(let vocabulary, let tokenizer, let length):
                guard case .category(let rawValues) = raw.kind else { throw notCategories(raw, path: table.path) }
                var idOf: [String: Int] = [:]
                for (index, token) in vocabulary.enumerated() { idOf[token] = TextTokenizer.firstTokenID + index }
                // Each distinct text's ids, made once; a missing cell is an empty text.
                let idsOfCode = rawValues.map { tokenizer.ids(of: $0, idOf: idOf, length: length) }
                var unknownInRows = 0
                features.withUnsafeMutableBufferPointer { output in
                    for row in 0..<count {
                        let code = table.dataset.features[row * rawWidth + position]
                        guard !code.isNaN else { continue }
                        let ids = idsOfCode[Int(code)]
                        let out = row * outputWidth + textOffset
                        for (position, id) in ids.enumerated() {
                            output[out + position] = Float(id)
                            if id == TextTokenizer.unknownID { unknownInRows += 1 }
                        }
                    }
                }
                if unknownInRows > 0 { unseen[column.name] = unknownInRows }
                textOffset += length
                continue
            case .oneHot(let values, let hasMissing), .embedding(let values, let hasMissing, _):
                guard case .category(let rawValues) = raw.kind else { throw notCategories(raw, path: table.path) }
                let isEmbedding: Bool
                if case .embedding = column.kind { isEmbedding = true } else { isEmbedding = false }
                var indexOf: [String: Int] = [:]
                for (index, value) in values.enumerated() { indexOf[value] = index }
                // Per raw code, the slot (one-hot) or row minus one (embedding); -1 for unseen.
                let slotOfCode = rawValues.map { indexOf[$0] ?? -1 }
                let missingSlot = hasMissing ? values.count : -1
                var unseenCount = 0
                table.dataset.features.withUnsafeBufferPointer { cells in
                    features.withUnsafeMutableBufferPointer { output in
                        for row in 0..<count {
                            let code = cells[row * rawWidth + position]
                            let slot = code.isNaN ? missingSlot : slotOfCode[Int(code)]
                            if slot < 0 { unseenCount += 1 }
                            if isEmbedding {
                                output[row * outputWidth + idOffset] = Float(slot + 1)
                            } else if slot >= 0 {
                                output[row * outputWidth + denseOffset + slot] = 1
                            }
                        }
                    }
                }
                if unseenCount > 0 { unseen[column.name] = unseenCount }
            }
            denseOffset += column.denseWidth
            if case .embedding = column.kind { idOffset += 1 }
        }
        let dataset = Dataset(features: features, exampleShape: [outputWidth], count: count, labels: table.dataset.labels,
                              targets: table.dataset.targets, targetWidth: table.dataset.targetWidth, classNames: table.dataset.classNames)
        return Outcome(dataset: dataset, unseen: unseen)
    }

    private func notNumbers(_ column: RawColumn, path: String) -> DataError {
        .malformed(path: path, line: nil, column: nil, message: "column `\(column.name)` was read as categories, but the model was trained on it as numbers")
    }

    private func notCategories(_ column: RawColumn, path: String) -> DataError {
        .malformed(path: path, line: nil, column: nil, message: "column `\(column.name)` was read as numbers, but the model was trained on it as categories")
    }
}
