import Core
import NN

/// An open-loop workload that replays recorded gradients: the batch of step `t` is the
/// index `t`, and its gradient is the `t`-th recorded one whatever the parameters. It
/// lets a conformance check drive a submission's real `step` through a real `Oracle`.
/// Where a case records them, the loss of step `t` is `losses[t]` (else 0), the Hessian of
/// step `t` is `diag(hessianDiagonals[t])` (so H·v = h_t ⊙ v and every Hutchinson probe
/// returns exactly h_t), and the training-set size is `trainingExamples`.
public final class ReplayWorkload: Workload {
    public typealias Batch = Int

    /// Hands out the step indices 0, 1, 2, … one batch at a time.
    public final class Stream: DataStream {
        private var next = 0
        public func nextBatch(size: Int) -> Int {
            defer { next += 1 }
            return next
        }
    }

    /// A spec with placeholder targets and budget (a replay is never scored).
    public let spec: WorkloadSpec
    /// Layout of the replayed parameters; the step hint is the number of steps recorded.
    public let info: WorkloadInfo
    private let gradients: [[Float]]
    private let losses: [Float]?
    private let hessianDiagonals: [[Float]]?

    /// A replay of `gradients` (one flat vector per step, in `layout` order), reporting
    /// `losses[t]` as step `t`'s loss and answering Hessian-vector products with
    /// `hessianDiagonals[t] ⊙ v`, where given.
    public init(
        name: String, layout: ParameterLayout, gradients: [[Float]], losses: [Float]? = nil,
        hessianDiagonals: [[Float]]? = nil, trainingExamples: Int? = nil
    ) {
        precondition(!gradients.isEmpty, "ReplayWorkload '\(name)': no gradients to replay")
        for (t, g) in gradients.enumerated() {
            precondition(g.count == layout.count, "ReplayWorkload '\(name)': gradient \(t) has \(g.count) values, layout has \(layout.count)")
        }
        precondition(losses.map { $0.count == gradients.count } ?? true, "ReplayWorkload '\(name)': one loss per step needed")
        precondition(
            hessianDiagonals.map { $0.count == gradients.count && $0.allSatisfy { $0.count == layout.count } } ?? true,
            "ReplayWorkload '\(name)': one full-length Hessian diagonal per step needed")
        self.gradients = gradients
        self.losses = losses
        self.hessianDiagonals = hessianDiagonals
        spec = WorkloadSpec(
            name: name, settings: [:], defaultBatchSize: 1, lossType: .custom, metric: "none", direction: .minimize,
            validationTarget: 0, testTarget: 0, maxRuntimeSeconds: .infinity, evalPeriodSeconds: .infinity,
            stepHint: gradients.count, provisional: true, source: name)
        info = WorkloadInfo(
            name: name, layout: layout, lossType: .custom, defaultBatchSize: 1, stepHint: gradients.count,
            trainingExamples: trainingExamples)
    }

    public func initialParameters(seed: UInt64) -> ParameterSet { ParameterSet(layout: info.layout) }
    public func makeDataStream(seed: UInt64) -> Stream { Stream() }

    /// Writes the recorded gradient of step `batch`; returns its recorded loss (0 if none).
    public func lossAndGradient(_ parameters: ParameterSet, batch: Int, into gradient: inout ParameterSet) -> Float {
        precondition(batch < gradients.count, "ReplayWorkload '\(info.name)': step \(batch) asked, only \(gradients.count) recorded")
        gradients[batch].withUnsafeBufferPointer { source in
            gradient.values.withUnsafeMutableBufferPointer { target in
                for i in 0..<target.count { target[i] = source[i] }
            }
        }
        return losses?[batch] ?? 0
    }

    /// The recorded loss of step `batch` (0 if none), whatever the parameters.
    public func loss(_ parameters: ParameterSet, batch: Int) -> Float { losses?[batch] ?? 0 }

    /// `h_t ⊙ v` with the recorded diagonal Hessian of step `batch`; a case without
    /// Hessian diagonals records no curvature, and asking for it is a programming error.
    public func hessianVectorProduct(_ parameters: ParameterSet, batch: Int, vector: ParameterSet, into result: inout ParameterSet) {
        guard let hessianDiagonals else {
            preconditionFailure("ReplayWorkload '\(info.name)': the case records no Hessian diagonals")
        }
        let diagonal = hessianDiagonals[batch]
        for i in 0..<result.values.count { result.values[i] = diagonal[i] * vector.values[i] }
    }

    /// Whether the replay can answer Hessian-vector products.
    public var recordsCurvature: Bool { hessianDiagonals != nil }

    public func exampleCount(of batch: Int) -> Int { 1 }
    public func split(_ batch: Int, into parts: Int) -> [Int] { [Int](repeating: batch, count: parts) }
    public func evaluate(_ parameters: ParameterSet) -> Metrics { Metrics(trainLoss: 0, validationMetric: 0, testMetric: 0) }
}
