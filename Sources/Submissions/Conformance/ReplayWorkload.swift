import Core
import NN

/// An open-loop workload that replays recorded gradients: the batch of step `t` is the
/// index `t`, and its gradient is the `t`-th recorded one whatever the parameters. It
/// lets a conformance check drive a submission's real `step` through a real `Oracle`.
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

    /// A replay of `gradients` (one flat vector per step, in `layout` order).
    public init(name: String, layout: ParameterLayout, gradients: [[Float]]) {
        precondition(!gradients.isEmpty, "ReplayWorkload '\(name)': no gradients to replay")
        for (t, g) in gradients.enumerated() {
            precondition(g.count == layout.count, "ReplayWorkload '\(name)': gradient \(t) has \(g.count) values, layout has \(layout.count)")
        }
        self.gradients = gradients
        spec = WorkloadSpec(
            name: name, settings: [:], defaultBatchSize: 1, lossType: .custom, metric: "none", direction: .minimize,
            validationTarget: 0, testTarget: 0, maxRuntimeSeconds: .infinity, evalPeriodSeconds: .infinity,
            stepHint: gradients.count, provisional: true, source: name)
        info = WorkloadInfo(
            name: name, layout: layout, lossType: .custom, defaultBatchSize: 1, stepHint: gradients.count,
            trainingExamples: nil)
    }

    public func initialParameters(seed: UInt64) -> ParameterSet { ParameterSet(layout: info.layout) }
    public func makeDataStream(seed: UInt64) -> Stream { Stream() }

    /// Writes the recorded gradient of step `batch`; the loss is reported as 0.
    public func lossAndGradient(_ parameters: ParameterSet, batch: Int, into gradient: inout ParameterSet) -> Float {
        precondition(batch < gradients.count, "ReplayWorkload '\(info.name)': step \(batch) asked, only \(gradients.count) recorded")
        gradients[batch].withUnsafeBufferPointer { source in
            gradient.values.withUnsafeMutableBufferPointer { target in
                for i in 0..<target.count { target[i] = source[i] }
            }
        }
        return 0
    }

    public func loss(_ parameters: ParameterSet, batch: Int) -> Float { 0 }

    /// A replay records no curvature.
    public func hessianVectorProduct(_ parameters: ParameterSet, batch: Int, vector: ParameterSet, into result: inout ParameterSet) {
        preconditionFailure("ReplayWorkload '\(info.name)': recorded gradients carry no Hessian-vector products")
    }

    public func exampleCount(of batch: Int) -> Int { 1 }
    public func split(_ batch: Int, into parts: Int) -> [Int] { [Int](repeating: batch, count: parts) }
    public func evaluate(_ parameters: ParameterSet) -> Metrics { Metrics(trainLoss: 0, validationMetric: 0, testMetric: 0) }
}
