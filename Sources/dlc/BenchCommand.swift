import ArgumentParser
import DLCData
import DLCRuntime
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training speed: steps/s, samples/s, GFLOP/s and a per-op breakdown.",
        discussion: "A step is what training does per batch: gather the batch, forward, backward, optimizer update."
    )

    @Argument(help: "The spec to measure.")
    var spec: String

    @Option(help: "Timed steps per round (default: enough for about a second).")
    var steps: Int?

    @Option(help: "Rounds; the median is reported.")
    var rounds = 5

    @Option(help: "BLAS threads (default: every core).")
    var threads: Int?

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Also break the profiled step down by graph node (each layer's forward and gradient ops).")
    var byNode = false

    @Flag(help: "Only read, check, encode and normalize the data, then print the time it took and the peak memory.")
    var dataOnly = false

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let start = Date()
        if dataOnly { return try measureData(start: start) }
        try Threads.configure(threads)
        let session = try ModelSession.open(spec, options: specOptions, purpose: .run)
        let program = try session.program()
        let data = try session.loadData()
        let batch = min(program.configuration.batchSize, data.train.count)
        try session.checkMemory(program, data: data, evaluates: false)
        let trainer = Trainer(program: program)
        let executor = trainer.trainingExecutor(batchSize: batch)
        let startup = Date().timeIntervalSince(start)
        var sampler = BatchSampler(count: data.train.count, batchSize: batch, shuffle: true, seed: program.configuration.seed)
        let ranges = sampler.batches(epoch: 0).filter { $0.count == batch }
        let (parameters, gradients) = executor.trainablePointers
        var position = 0
        var profiling = false
        var gatherSeconds = 0.0, optimizerSeconds = 0.0
        func step() {
            let range = ranges[position % ranges.count]
            position += 1
            let start = profiling ? DispatchTime.now().uptimeNanoseconds : 0
            sampler.gather(range, from: data.train, features: executor.input(.features)!, labels: executor.input(.labels),
                           targets: executor.input(.targets))
            let gathered = profiling ? DispatchTime.now().uptimeNanoseconds : 0
            executor.run()
            let ran = profiling ? DispatchTime.now().uptimeNanoseconds : 0
            trainer.optimizer.step(parameters: parameters, gradients: gradients, learningRate: program.configuration.optimizer.learningRate)
            if profiling {
                gatherSeconds += Double(gathered - start) * 1e-9
                optimizerSeconds += Double(DispatchTime.now().uptimeNanoseconds - ran) * 1e-9
            }
        }
        // Warm up (first-touch page faults, BLAS thread start), then size the rounds to about a second.
        let warmupStart = Date()
        var warmup = 0
        while warmup < 5 || (Date().timeIntervalSince(warmupStart) < 0.3 && warmup < 10_000) { step(); warmup += 1 }
        let perStep = Date().timeIntervalSince(warmupStart) / Double(warmup)
        let timed = max(1, steps ?? Int(1.0 / max(perStep, 1e-7)))
        var times: [Double] = []
        for _ in 0..<max(1, rounds) {
            let roundStart = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<timed { step() }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - roundStart) * 1e-9 / Double(timed))
        }
        let median = times.sorted()[times.count / 2]
        executor.isTiming = true
        executor.resetTiming()
        profiling = true
        let profiled = max(1, min(timed, 200))
        for _ in 0..<profiled { step() }
        profiling = false
        executor.isTiming = false
        let ceiling = executor.isolatedMatmulGFLOPS()
        let operations = executor.timeByOp() + [("(gather batch)", gatherSeconds), ("(optimizer step)", optimizerSeconds)]
        let nodes = byNode ? executor.timeByNode().map {
            BenchReport.NodeTime(node: $0.node, op: $0.name, label: $0.label, shape: $0.shape, secondsPerStep: $0.seconds / Double(profiled))
        } : []
        let report = BenchReport(name: session.name, batch: batch, secondsPerStep: median, flopsPerStep: executor.flopsPerRun * 1.0,
                                 arenaBytes: executor.plan.arenaSize * 4, parameterCount: trainer.parameters.totalCount,
                                 startupSeconds: startup, threads: threads, operations: operations.sorted { $0.1 > $1.1 }.map { ($0.0, $0.1 / Double(profiled)) },
                                 steps: timed, rounds: times.count, sgemmGFLOPS: ceiling,
                                 convolutionKernels: executor.convolutionLibraryKernels, nodes: nodes)
        Console.output(json ? report.json() : report.text())
    }
}

/// The numbers `dlc bench` prints.
struct BenchReport {
    let name: String
    let batch: Int
    let secondsPerStep: Double
    let flopsPerStep: Double
    let arenaBytes: Int
    let parameterCount: Int
    let startupSeconds: Double
    let threads: Int?
    let operations: [(name: String, secondsPerStep: Double)]
    let steps: Int
    let rounds: Int
    /// GFLOP/s of the model's matrix products run alone (0 for a model without dense layers).
    let sgemmGFLOPS: Double
    /// oneDNN's kernels for the convolutions (empty: im2col + OpenBLAS, or none).
    var convolutionKernels: [String] = []
    /// With `--by-node`: each instruction's share of the profiled step, in execution order.
    var nodes: [NodeTime] = []

    struct NodeTime {
        let node: Int
        let op: String
        let label: String
        let shape: [Int]
        let secondsPerStep: Double
    }

    var stepsPerSecond: Double { 1 / secondsPerStep }
    var samplesPerSecond: Double { Double(batch) / secondsPerStep }
    var gflops: Double { flopsPerStep / secondsPerStep / 1e9 }

    func text() -> String {
        var out = "\(name): batch \(batch), median of \(rounds) rounds of \(steps) steps\n"
        out += String(format: "  %.1f steps/s, %.0f samples/s, %.2f GFLOP/s (matrix products and convolutions), %.1f us/step\n",
                      stepsPerSecond, samplesPerSecond, gflops, secondsPerStep * 1e6)
        if sgemmGFLOPS > 0 {
            out += String(format: "  matrix products alone: %.2f GFLOP/s; the whole step reaches %.0f%% of that\n",
                          sgemmGFLOPS, 100 * gflops / sgemmGFLOPS)
        }
        out += "  BLAS: OpenBLAS \(BLASSetup.coreName) kernels, \(threads.map(String.init) ?? "all") threads\n"
        if !convolutionKernels.isEmpty { out += "  convolutions: oneDNN \(convolutionKernels.joined(separator: ", "))\n" }
        out += "  arena \(arenaBytes) bytes, \(parameterCount) parameters, start-up and data \(String(format: "%.3f", startupSeconds)) s\n"
        let total = operations.reduce(0) { $0 + $1.secondsPerStep }
        out += "  time per step by op (profiled):\n"
        for (name, seconds) in operations where seconds > 0 {
            out += "    " + padded(name, 34) + String(format: " %9.1f us  %5.1f%%\n", seconds * 1e6, total > 0 ? 100 * seconds / total : 0)
        }
        if !nodes.isEmpty {
            out += "  time per step by node (profiled, in execution order):\n"
            for node in nodes {
                let what = "%\(node.node) \(node.op) \(node.label) [\(node.shape.map(String.init).joined(separator: ", "))]"
                out += "    " + padded(what, 56) + String(format: " %9.1f us  %5.1f%%\n", node.secondsPerStep * 1e6,
                                                              total > 0 ? 100 * node.secondsPerStep / total : 0)
            }
        }
        return out
    }

    /// `text` left-aligned in a column of `width` characters (Foundation's `%-N@` does not pad on Linux).
    private func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    func json() -> String {
        var object: [String: Any] = [
            "name": name, "batch_size": batch, "steps_per_second": stepsPerSecond, "samples_per_second": samplesPerSecond,
            "gflops": gflops, "arena_bytes": arenaBytes, "parameters": parameterCount, "startup_seconds": startupSeconds,
            "seconds_per_step": secondsPerStep, "blas_core": BLASSetup.coreName, "sgemm_gflops": sgemmGFLOPS,
        ]
        object["operations"] = Dictionary(operations.map { ($0.name, $0.secondsPerStep) }, uniquingKeysWith: +)
        if let threads { object["threads"] = threads }
        object["convolution_kernels"] = convolutionKernels
        if !nodes.isEmpty {
            object["nodes"] = nodes.map { ["node": $0.node, "op": $0.op, "label": $0.label, "shape": $0.shape, "seconds_per_step": $0.secondsPerStep] as [String: Any] }
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension BenchCommand {
    /// `--data-only`: the seconds from start-up to the encoded, normalized splits, and the peak resident memory.
    func measureData(start: Date) throws {
        let session = try ModelSession.open(spec, options: specOptions, purpose: .run)
        let checked = Date()
        let data = try session.loadData()
        let seconds = Date().timeIntervalSince(start)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peak = Double(usage.ru_maxrss) / 1024
        let rows = data.train.count + (data.validation?.count ?? 0) + (data.test?.count ?? 0)
        let result: [String: Any] = ["seconds": seconds, "check_seconds": checked.timeIntervalSince(start), "rows": rows,
                                     "features": data.train.featureCount, "peak_rss_mib": peak]
        if json {
            let text = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            Console.output(String(decoding: text, as: UTF8.self) + "\n")
        } else {
            Console.output(String(format: "%@: %d rows, %d features in %.3f s (check %.3f s), peak memory %.0f MiB\n",
                                  session.name, rows, data.train.featureCount, seconds, checked.timeIntervalSince(start), peak))
        }
    }
}

