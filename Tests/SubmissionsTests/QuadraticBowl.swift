import Core
import NN
import Submissions

/// A deterministic test problem with a parameter-dependent gradient:
/// `L(θ) = ½ Σᵢ aᵢ(θᵢ − cᵢ)²` over a 4 × 6 weight and a 6-vector bias; the batch is the
/// step index and does not change the loss.
final class QuadraticBowl: Workload {
    typealias Batch = Int

    final class Stream: DataStream {
        var next = 0
        func nextBatch(size: Int) -> Int {
            defer { next += 1 }
            return next
        }
    }

    let spec: WorkloadSpec
    let info: WorkloadInfo
    let curvature: [Float]
    let center: [Float]

    init(weightShape: [Int] = [4, 6], stepHint: Int = 200) {
        var layout = ParameterLayout()
        layout.add("weight", shape: weightShape, kind: .weight)
        layout.add("bias", shape: [weightShape.last ?? 1], kind: .bias)
        let n = layout.count
        curvature = (0..<n).map { 0.5 + 1.5 * Float(($0 * 7) % 11) / 10 }
        center = (0..<n).map { Float(($0 * 5) % 9) / 4 - 1 }
        spec = WorkloadSpec(
            name: "bowl", settings: [:], defaultBatchSize: 1, lossType: .meanSquaredError, metric: "loss",
            direction: .minimize, validationTarget: 0, testTarget: 0, maxRuntimeSeconds: 10, evalPeriodSeconds: 1,
            stepHint: stepHint, provisional: true)
        info = WorkloadInfo(
            name: "bowl", layout: layout, lossType: .meanSquaredError, defaultBatchSize: 1, stepHint: stepHint,
            trainingExamples: nil)
    }

    func initialParameters(seed: UInt64) -> ParameterSet { ParameterSet(layout: info.layout) }
    func makeDataStream(seed: UInt64) -> Stream { Stream() }

    func lossValue(_ parameters: ParameterSet) -> Float {
        var total: Float = 0
        for i in parameters.values.indices {
            let d = parameters.values[i] - center[i]
            total += 0.5 * curvature[i] * d * d
        }
        return total
    }

    func lossAndGradient(_ parameters: ParameterSet, batch: Int, into gradient: inout ParameterSet) -> Float {
        for i in parameters.values.indices { gradient.values[i] = curvature[i] * (parameters.values[i] - center[i]) }
        return lossValue(parameters)
    }

    func loss(_ parameters: ParameterSet, batch: Int) -> Float { lossValue(parameters) }

    func hessianVectorProduct(_ parameters: ParameterSet, batch: Int, vector: ParameterSet, into result: inout ParameterSet) {
        for i in vector.values.indices { result.values[i] = curvature[i] * vector.values[i] }
    }

    /// The bowl is deterministic, but it reports 64 examples a batch so that methods which
    /// split batches into sub-batches (adaptive batch sizes) can run on it; every sub-batch
    /// sees the same loss, so their gradient variance is zero.
    func exampleCount(of batch: Int) -> Int { 64 }
    func split(_ batch: Int, into parts: Int) -> [Int] { [Int](repeating: batch, count: parts) }
    func evaluate(_ parameters: ParameterSet) -> Metrics {
        let l = Double(lossValue(parameters))
        return Metrics(trainLoss: l, validationMetric: l, testMetric: l)
    }

    /// Runs `steps` steps of `submission` from `start` (zeros by default), as the trial runner does.
    func train<S: Submission>(
        _ submission: inout S, steps: Int, from start: ParameterSet? = nil, oracle: Oracle? = nil
    ) throws -> ParameterSet {
        let oracle = oracle ?? Oracle(workload: self, stream: makeDataStream(seed: 0))
        var parameters = start ?? initialParameters(seed: 0)
        for t in 0..<steps {
            oracle.drawBatch()
            try submission.step(&parameters, oracle: oracle, context: StepContext(
                step: t, stepHint: info.stepHint, submissionTime: 0, lastEvaluation: nil))
        }
        return parameters
    }
}
