import Core
import NN

/// Update throughput of a submission on a large flat parameter vector, for `optbench perf`:
/// how many bytes per second its step moves, to compare with the machine's measured
/// memory-copy bandwidth. Build in release mode for meaningful numbers.
public enum UpdateThroughput {
    /// One measurement.
    public struct Measurement: Sendable {
        public let submission: String
        public let parameters: Int
        /// Best time of one `step` (gradient evaluation excluded: the gradient is left as is).
        public let secondsPerStep: Double
        /// The ideal traffic of one step: read θ and g, write θ (12 bytes a parameter), and
        /// read and write the optimizer state (2 × `stateBytes`).
        public let bytesPerStep: Int

        /// `bytesPerStep / secondsPerStep`, in GB/s (10⁹ bytes).
        public var gigabytesPerSecond: Double { Double(bytesPerStep) / secondsPerStep * 1e-9 }
    }

    /// Times `submission`'s step at its default hyperparameters on `parameterCount`
    /// parameters laid out as square-ish weight matrices of at most 4M entries (so
    /// matrix-aware methods see matrices), repeating for at least `minimumSeconds`.
    public static func measure<S: Submission>(_ submission: S.Type, parameterCount: Int, minimumSeconds: Double) throws -> Measurement {
        precondition(parameterCount >= 1, "UpdateThroughput: parameter count must be ≥ 1, got \(parameterCount)")
        var layout = ParameterLayout()
        var remaining = parameterCount, index = 0
        while remaining > 0 {
            let side = min(2048, Int(Double(remaining).squareRoot()))
            if side >= 2 {
                let rows = min(remaining / side, 2048)
                layout.add("w\(index)", shape: [rows, side], kind: .weight)
                remaining -= rows * side
            } else {
                layout.add("b\(index)", shape: [remaining], kind: .bias)
                remaining = 0
            }
            index += 1
        }
        let workload = StillGradientWorkload(layout: layout)
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 0))
        var instance = try S(
            info: workload.info, hyperparameters: S.defaultHyperparameters, budget: Budget(maxRuntimeSeconds: 1e9, stepHint: 1_000_000))
        var parameters = ParameterSet(layout: layout, repeating: 0.01)
        var step = 0
        func once() throws {
            oracle.drawBatch()
            try instance.step(&parameters, oracle: oracle, context: StepContext(
                step: step, stepHint: 1_000_000, submissionTime: 0, lastEvaluation: nil))
            step += 1
        }
        let best = try Timing.secondsPerCall(minimumSeconds: minimumSeconds, once)
        return Measurement(
            submission: S.name, parameters: parameterCount, secondsPerStep: best,
            bytesPerStep: 3 * parameterCount * MemoryLayout<Float>.size + 2 * instance.stateBytes)
    }
}

/// A workload whose gradient call leaves the gradient buffer as it is: it isolates the
/// update's own cost from the model's.
private final class StillGradientWorkload: Workload {
    final class Stream: DataStream {
        func nextBatch(size: Int) -> Int { 0 }
    }

    let spec: WorkloadSpec
    let info: WorkloadInfo

    init(layout: ParameterLayout) {
        spec = WorkloadSpec(
            name: "throughput", settings: [:], defaultBatchSize: 1, lossType: .custom, metric: "none", direction: .minimize,
            validationTarget: 0, testTarget: 0, maxRuntimeSeconds: 1, evalPeriodSeconds: 1, stepHint: 1, provisional: true)
        info = WorkloadInfo(name: "throughput", layout: layout, lossType: .custom, defaultBatchSize: 1, stepHint: 1, trainingExamples: nil)
    }

    func initialParameters(seed: UInt64) -> ParameterSet { ParameterSet(layout: info.layout) }
    func makeDataStream(seed: UInt64) -> Stream { Stream() }
    func lossAndGradient(_ parameters: ParameterSet, batch: Int, into gradient: inout ParameterSet) -> Float { 0 }
    func loss(_ parameters: ParameterSet, batch: Int) -> Float { 0 }
    func hessianVectorProduct(_ parameters: ParameterSet, batch: Int, vector: ParameterSet, into result: inout ParameterSet) {}
    func exampleCount(of batch: Int) -> Int { 1 }
    func split(_ batch: Int, into parts: Int) -> [Int] { [Int](repeating: 0, count: parts) }
    func evaluate(_ parameters: ParameterSet) -> Metrics { Metrics(trainLoss: 0, validationMetric: 0, testMetric: 0) }
}
