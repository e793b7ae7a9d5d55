import DLCData
import DLCRuntime
import Foundation

/// A run folder's `training-state.safetensors`: the trainer's state after its last finished
/// epoch, and what the run was started from, so that `dlc run --resume` can go on exactly where
/// it stopped or say why it cannot.
///
/// It is written atomically at the end of every epoch and removed once the run's summary says it
/// completed; an interrupted run keeps it.
struct SavedTraining {
    static let fileName = "training-state.safetensors"
    /// The metadata key of the trainer's counters and reports (`TrainingState.metadataJSON`).
    static let stateKey = "dlc_training_state"
    static let originKey = "dlc_training_origin"

    /// What a resumed run must share with the run it continues.
    struct Origin: Codable, Equatable {
        /// One split's examples, hashed after loading and normalization.
        struct Split: Codable, Equatable {
            var name: String
            var count: Int
            var fingerprint: String
        }
        /// The spec's text with `--set` overrides applied.
        var spec: String
        var seed: UInt64
        var epochs: Int
        var threads: Int
        var data: [Split]
        /// The ranks of a data-parallel run (nil: one process, or a file from before ranks).
        var ranks: Int?
    }

    var origin: Origin
    private var tensors: [SafetensorsTensor]
    private var stateJSON: String

    /// The origin of a run of `session` on `data` with this configuration.
    static func origin(session: ModelSession, data: LoadedData, seed: UInt64, epochs: Int, threads: Int, ranks: Int) -> Origin {
        let splits = [("train", data.train), ("validation", data.validation), ("test", data.test)].compactMap { name, split in
            split.map { Origin.Split(name: name, count: $0.count, fingerprint: String($0.fingerprint, radix: 16)) }
        }
        return Origin(spec: RunOutputs.resolvedSpec(session), seed: seed, epochs: epochs, threads: threads, data: splits,
                      ranks: ranks > 1 ? ranks : nil)
    }

    /// Writes `state` and `origin` to `path` atomically (a kill leaves the previous epoch's file).
    static func write(_ state: TrainingState, origin: Origin, trainer: Trainer, to path: String) throws {
        let tensors = state.tensors(infos: trainer.parameters.infos, stateNames: trainer.optimizer.stateNames)
        let originJSON = String(decoding: try JSONEncoder().encode(origin), as: UTF8.self)
        try Safetensors.write(tensors, metadata: ["format": "dlc-training-state-1", stateKey: try state.metadataJSON(),
                                                  originKey: originJSON], to: path)
    }

    /// Reads the file at `path`; nil when there is none. Throws a message for a damaged file.
    static func read(_ path: String) throws(TrainingStateError) -> SavedTraining? {
        guard let bytes = try readBytes(path) else { return nil }
        return try decode(bytes, path: path)
    }

    /// The file's bytes (what rank 0 of a data-parallel run sends the others); nil when there is none.
    static func readBytes(_ path: String) throws(TrainingStateError) -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do { return try Safetensors.readBytes(path: path) } catch { throw .malformed("\(error)") }
    }

    /// The state in a file's bytes, read from `path`.
    static func decode(_ bytes: [UInt8], path: String) throws(TrainingStateError) -> SavedTraining {
        let contents: (tensors: [SafetensorsTensor], metadata: [String: String])
        do { contents = try Safetensors.decode(bytes) } catch { throw .malformed("\(error)") }
        guard contents.metadata["format"] == "dlc-training-state-1", let stateJSON = contents.metadata[stateKey],
              let originJSON = contents.metadata[originKey] else {
            throw .malformed("`\(path)` is not a dlc training state")
        }
        let origin: Origin
        do { origin = try JSONDecoder().decode(Origin.self, from: Data(originJSON.utf8)) } catch {
            throw .malformed("its record of the run's origin does not read (\(error))")
        }
        return SavedTraining(origin: origin, tensors: contents.tensors, stateJSON: stateJSON)
    }

    /// The trainer's state, checked against the trainer's parameters and optimizer.
    func state(for trainer: Trainer) throws(TrainingStateError) -> TrainingState {
        try TrainingState.read(metadataJSON: stateJSON, tensors: tensors, infos: trainer.parameters.infos,
                               stateNames: trainer.optimizer.stateNames)
    }

    /// What differs between the saved run's origin and `now`, one sentence each (threads aside:
    /// they change only the last bits, and `differences` leaves them to a note).
    static func differences(saved: Origin, now: Origin) -> [String] {
        var found: [String] = []
        if let line = firstDifference(saved.spec, now.spec) { found.append(line) }
        if saved.seed != now.seed { found.append("the run's seed was \(saved.seed), this one's is \(now.seed)") }
        if saved.epochs != now.epochs { found.append("the run trains \(saved.epochs) epochs, this one \(now.epochs)") }
        let savedSplits = Dictionary(saved.data.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let nowSplits = Dictionary(now.data.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in ["train", "validation", "test"] {
            switch (savedSplits[name], nowSplits[name]) {
            case (nil, nil): continue
            case (let before?, nil): found.append("the run had a \(name) split of \(before.count) examples, this one has none")
            case (nil, let after?): found.append("the run had no \(name) split, this one has \(after.count) examples")
            case (let before?, let after?):
                if before.count != after.count {
                    found.append("the \(name) split had \(before.count) examples, now \(after.count)")
                } else if before.fingerprint != after.fingerprint {
                    found.append("the \(name) split's \(after.count) examples are not those the run started on (the data changed)")
                }
            }
        }
        return found
    }

    /// The first line where two spec texts differ, ignoring blank and comment-only lines.
    static func firstDifference(_ saved: String, _ now: String) -> String? {
        func meaningful(_ text: String) -> [(number: Int, text: String)] {
            text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return trimmed.isEmpty || trimmed.hasPrefix("#") ? nil : (index + 1, String(line.reversed().drop(while: { $0 == " " }).reversed()))
            }
        }
        let before = meaningful(saved), after = meaningful(now)
        for (old, new) in zip(before, after) where old.text != new.text {
            return "the spec's line \(new.number) is `\(new.text.trimmingCharacters(in: .whitespaces))`, "
                + "the run's was `\(old.text.trimmingCharacters(in: .whitespaces))`" + (old.number == new.number ? "" : " (its line \(old.number))")
        }
        if before.count > after.count, let old = before.dropFirst(after.count).first {
            return "the spec lacks the run's line \(old.number), `\(old.text.trimmingCharacters(in: .whitespaces))`"
        }
        if after.count > before.count, let new = after.dropFirst(before.count).first {
            return "the spec's line \(new.number), `\(new.text.trimmingCharacters(in: .whitespaces))`, was not in the run's"
        }
        return nil
    }
}

/// When `dlc run` saves its training state: after the first epoch, then after every epoch unless
/// the saves would take more than 5 % of the time (an epoch of a few milliseconds, with a save of
/// a few: then after the first epoch at least 20 saves' time since the last). A resumed run
/// repeats the epochs since the last save, so how often it saves never changes the result.
struct SavingPolicy {
    /// The most of the training time saves may take.
    static let share = 0.05
    private var lastSave: Date?
    private var lastCost: TimeInterval = 0
    var failed = false

    func isDue(now: Date = Date()) -> Bool {
        guard let lastSave else { return true }
        return now.timeIntervalSince(lastSave) * Self.share >= lastCost
    }

    mutating func saved(cost: TimeInterval, now: Date = Date()) {
        lastSave = now
        lastCost = cost
    }
}
