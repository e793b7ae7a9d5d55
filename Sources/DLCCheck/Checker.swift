import DLCData
import DLCDiagnostics
import DLCSpec

/// Checks spec files: parsing, decoding, data metadata, shapes and compatibility, in one pass.
public enum Checker {
    /// Checks the spec file at `path`.
    public static func check(path: String, options: CheckOptions = CheckOptions()) -> CheckResult {
        check(SpecLoader.load(path: path, overrides: options.overrides), options: options)
    }

    /// Checks an already loaded spec.
    public static func check(_ loaded: LoadedSpec, options: CheckOptions = CheckOptions()) -> CheckResult {
        var result = CheckResult(file: loaded.file, diagnostics: loaded.diagnostics, model: nil, baseDirectory: loaded.baseDirectory)
        guard let spec = loaded.spec else {
            result.diagnostics = result.diagnostics.sortedByPosition()
            return result
        }
        var semantic = SemanticCheck(spec: spec, options: options, baseDirectory: loaded.baseDirectory)
        let model = semantic.run()
        result.diagnostics = (result.diagnostics + semantic.diagnostics).sortedByPosition()
        result.tables = semantic.tables
        if !result.hasErrors, options.checksSweepPoints, let sweep = spec.sweep {
            result.diagnostics += SweepPointCheck.problems(sweep, spec: spec, loaded: loaded, options: options)
        }
        if !result.hasErrors { result.model = model }
        return result
    }
}

/// The rules that need more than one section: data against input, loss against output, and so on.
struct SemanticCheck {
    let spec: Spec
    let options: CheckOptions
    let baseDirectory: String
    var diagnostics: [Diagnostic] = []
    /// The CSV tables read, by option.
    var tables: [String: RawTable] = [:]

    init(spec: Spec, options: CheckOptions, baseDirectory: String) {
        self.spec = spec
        self.options = options
        self.baseDirectory = baseDirectory
    }

    mutating func run() -> CheckedModel? {
        checkRequiredSections()
        let data = readData()
        guard let model = spec.model, model.isComplete, let input = model.input ?? inputFromData(data) else { return nil }
        guard ShapeArithmetic.elementCount(input.value) != nil else {
            diagnostics.append(.error("shape-too-large", "`model.input` \(ShapeArithmetic.format(input.value)) holds more than 2^40 values per example",
                                      at: input.range, help: ["an example this large cannot be allocated; check the dimensions"]))
            return nil
        }
        var inference = ShapeInference()
        inference.tokens = data?.encoding?.onlyText
        inference.namedInputs = data?.encoding?.namedInputs ?? [:]
        for text in data?.encoding?.texts ?? [] { inference.texts[text.column] = text }
        inference.readData = data != nil && spec.data?.isComplete == true
        let layers = inference.infer(input: input.value, layers: model.layers)
        diagnostics += inference.diagnostics
        if let data { checkInput(input, against: data) }
        guard let layers else { return nil }
        var checked = CheckedModel(spec: spec, inputShape: input.value, layers: layers, trainingData: data, trainingMemoryBytes: 0)
        checked.encoding = data?.encoding
        checkParameterLimit(checked)
        checked.trainingMemoryBytes = MemoryEstimate.trainingBytes(checked)
        var compatibility = Compatibility(spec: spec, model: checked)
        compatibility.run()
        diagnostics += compatibility.diagnostics
        var weights = InitialWeightsCheck(model: checked, options: options, baseDirectory: baseDirectory)
        weights.run()
        diagnostics += weights.diagnostics
        return checked
    }

    /// Errors for `run`; warnings for `check`, and only on an otherwise clean spec.
    private mutating func checkRequiredSections() {
        guard options.purpose == .run || spec.isComplete else { return }
        for section in ["data", "training"] where spec.sectionKeyRanges[section] == nil {
            let message = "the spec has no `\(section)` section; `dlc run` needs one"
            let help = section == "data" ? "add `data: {train: {csv: PATH, target: COLUMN}}`" : "add `training: {epochs: 10}`"
            if options.purpose == .run {
                diagnostics.append(.error("missing-section", message, at: nil, help: [help]))
            } else {
                diagnostics.append(.warning("missing-section", message, at: nil, help: [help]))
            }
        }
    }

    /// Reads every source's metadata; returns the training split's (a CSV source's with its
    /// encoding fitted on the training split, as `run` will fit it).
    private mutating func readData() -> DatasetMetadata? {
        guard options.readsData, let data = spec.data, let train = data.train else { return nil }
        var checks = DataChecks(baseDirectory: baseDirectory)
        let seed = UInt64(spec.training?.seed ?? 0)
        var metadata: DatasetMetadata?
        var trainColumns: [String]?
        if case .csv = train.value {
            if let table = checks.table(of: train.value, option: "train", data: data, seed: seed) {
                checks.checkColumns(table, source: train.value, data: data)
                tables["train"] = table
                metadata = tabularMetadata(table, data: data, seed: seed, checks: &checks)
                trainColumns = table.columns.map { $0.name }
            }
        } else {
            metadata = checks.metadata(of: train.value, option: "train")
        }
        for (option, split) in [("validation", data.validation), ("test", data.test)] {
            guard let split, case .source(let source) = split.value else { continue }
            if case .csv = source, let trainColumns {
                guard let table = checks.table(of: source, option: option, data: data, seed: seed) else { continue }
                tables[option] = table
                let names = table.columns.map { $0.name }
                if names != trainColumns {
                    let missing = trainColumns.filter { !names.contains($0) }
                    let detail = missing.isEmpty ? "its feature columns are \(Self.list(names))" : "it lacks \(Self.list(missing))"
                    diagnostics.append(.error("data-mismatch", "the `\(option)` source needs the training source's feature columns \(Self.list(trainColumns)), but \(detail)",
                                              at: split.range, help: ["every split needs the same features"]))
                }
                continue
            }
            guard let other = checks.metadata(of: source, option: option), let metadata else { continue }
            if other.exampleShape != metadata.exampleShape {
                diagnostics.append(.error("data-mismatch",
                                          "the `\(option)` examples are shaped \(ShapeArithmetic.format(other.exampleShape)), but the training examples are \(ShapeArithmetic.format(metadata.exampleShape))",
                                          at: split.range, help: ["every split needs the same features"]))
            }
        }
        diagnostics += checks.diagnostics
        if let metadata, let batch = spec.training?.batchSize, batch.value > metadata.exampleCount {
            diagnostics.append(.warning("batch-larger-than-data",
                                        "`batch_size` \(batch.value) is larger than the \(metadata.exampleCount) training examples",
                                        at: batch.range, help: ["every step will see the whole training set; lower `batch_size`"]))
        }
        return metadata
    }

    /// A CSV table's metadata: the encoding fitted on the training split the spec's fractions and seed give.
    private mutating func tabularMetadata(_ table: RawTable, data: DataSpec, seed: UInt64, checks: inout DataChecks) -> DatasetMetadata {
        var fractions: (validation: Double?, test: Double?) = (nil, nil)
        if case .fraction(let f)? = data.validation?.value { fractions.validation = f }
        if case .fraction(let f)? = data.test?.value { fractions.test = f }
        let rows = DatasetSplitter.indices(table.dataset, validationFraction: fractions.validation, testFraction: fractions.test, seed: seed)
        let encoding = FeatureEncoding.fit(DataChecks.columnTypes(data), to: table, trainingRows: rows.train)
        checks.checkEncoding(encoding, data: data)
        let names = table.dataset.classNames
        if names.count == 1, spec.loss?.value.isClassification == true, case .csv(_, let target, _) = data.train?.value {
            diagnostics.append(.error("single-class", "every training row of `\(table.path)` has the class `\(names[0])`; a classifier needs at least two",
                                      at: target.first?.range, help: ["check the target column and the file"]))
        }
        let isClasses = !names.isEmpty
        var metadata = DatasetMetadata(
            exampleShape: encoding.modelShape, exampleCount: table.dataset.count, featureNames: encoding.featureNames,
            target: isClasses ? .classes(names) : .values(width: table.dataset.targetWidth),
            targetIsNumeric: names.allSatisfy { DataTarget.isNumeric($0) })
        metadata.encoding = encoding
        metadata.droppedRows = table.droppedRows
        return metadata
    }

    private static func list(_ names: [String]) -> String {
        names.prefix(8).map { "`\($0)`" }.joined(separator: ", ") + (names.count > 8 ? ", ..." : "")
    }

    /// The data's example shape where `model.input` is left out; nil (with a diagnostic) without data.
    private mutating func inputFromData(_ data: DatasetMetadata?) -> Located<[Int]>? {
        let at = spec.sectionKeyRanges["model"]
        if let data, let range = at ?? spec.model?.layersRange { return Located(data.exampleShape, at: range) }
        if !options.readsData, spec.data?.train != nil {
            diagnostics.append(.warning("shapes-not-checked", "`model.input` is left out, so the data gives it, but `--no-data` skips the data; shapes are not checked",
                                        at: at, help: ["run `dlc check` without `--no-data`, or write `input:` under `model`"]))
        } else if spec.data?.train == nil {
            diagnostics.append(.error("missing-key", "`model` is missing `input`, and there is no `data` section to give it",
                                      at: at, help: ["add `input: [N]` (the shape of one example) under `model`"]))
        }
        return nil
    }

    private mutating func checkInput(_ input: Located<[Int]>, against data: DatasetMetadata) {
        guard let inputCount = ShapeArithmetic.elementCount(input.value),
              let dataCount = ShapeArithmetic.elementCount(data.exampleShape),
              inputCount != dataCount else { return }
        if let encoding = data.encoding, !encoding.isIdentity {
            diagnostics.append(.error("input-mismatch",
                                      "`model.input` \(ShapeArithmetic.format(input.value)) holds \(inputCount) value\(inputCount == 1 ? "" : "s") per example, but the encoded features are \(dataCount) wide: \(encoding.widthBreakdown)",
                                      at: input.range, help: ["set `input: \(ShapeArithmetic.format(data.exampleShape))`, or leave `input` out: the data gives it"]))
            return
        }
        let described = data.featureNames.isEmpty
            ? "examples shaped \(ShapeArithmetic.format(data.exampleShape)) (\(dataCount) values)"
            : "\(dataCount) feature\(dataCount == 1 ? "" : "s")"
        diagnostics.append(.error("input-mismatch",
                                  "`model.input` \(ShapeArithmetic.format(input.value)) holds \(inputCount) value\(inputCount == 1 ? "" : "s") per example, but the training data has \(described)",
                                  at: input.range, help: ["set `input: \(ShapeArithmetic.format(data.exampleShape))`"]))
    }

    private mutating func checkParameterLimit(_ model: CheckedModel) {
        var total = 0
        for layer in model.layers {
            total = ShapeArithmetic.add(total, layer.parameterCount) ?? .max
            guard total > options.maximumParameters else { continue }
            diagnostics.append(.error("too-many-parameters",
                                      total == layer.parameterCount
                                          ? "`\(layer.name)` alone has \(ShapeArithmetic.abbreviate(total)) parameters, over the limit of \(ShapeArithmetic.abbreviate(options.maximumParameters))"
                                          : "the model reaches \(ShapeArithmetic.abbreviate(total)) parameters at `\(layer.name)`, over the limit of \(ShapeArithmetic.abbreviate(options.maximumParameters))",
                                      at: layer.spec.optionRanges["units"] ?? layer.spec.optionRanges["filters"] ?? layer.spec.kindRange,
                                      help: ["make the layers smaller, or raise the limit with `--max-parameters` if this is intended"]))
            return
        }
    }
}
