import NN

/// Everything a submission may ask of the workload during a step, every call counted.
///
/// The harness draws a batch of `batchSize` examples at the start of each step (data
/// selection counts as submission time); `gradient`, `loss`, `hessianVectorProduct` and
/// `subBatchGradients` all refer to that current batch, at whatever parameters the
/// submission passes (so SAM- and MARS-style methods can evaluate elsewhere on the same
/// batch). `drawBatch(size:)` replaces the current batch mid-step; setting `batchSize`
/// changes the size drawn from the next step on (adaptive batch-size methods).
public final class Oracle {
    /// What the workload tells submissions.
    public let info: WorkloadInfo
    /// Size of the batch drawn at the start of each step.
    public var batchSize: Int {
        didSet { precondition(batchSize >= 1, "Oracle: batch size must be ≥ 1, got \(batchSize)") }
    }
    /// Calls made so far in this trial.
    public private(set) var counts = OracleCounts()
    /// The loss returned by the most recent `gradient`, `loss` or sub-batch call: the
    /// harness logs it as the step's training loss and stops a trial when it is not finite.
    public private(set) var lastLoss: Float?
    /// Seed for the submission's own random draws (Hutchinson probes, zeroth-order
    /// directions), so they are reproducible and differ between trials without the
    /// submission holding a generator; derive per-step generators from it through
    /// `StableHash`. The harness passes one derived from the trial seed.
    public let randomSeed: UInt64

    private let session: any OracleSession
    private let bilevelSession: (any BilevelSession)?

    /// The bilevel oracle of a workload that offers one (its calls count here too); nil
    /// for every other workload.
    public private(set) lazy var bilevel: BilevelOracle? = bilevelSession.map { BilevelOracle(session: $0, oracle: self) }

    /// An oracle over `workload`'s training stream; `randomSeed` seeds the submission's
    /// probes (default 0).
    public init<W: Workload>(workload: W, stream: W.Stream, randomSeed: UInt64 = 0) {
        info = workload.info
        self.randomSeed = randomSeed
        batchSize = workload.info.defaultBatchSize
        session = Session(workload: workload, stream: stream)
        bilevelSession = workload.bilevelSession(stream: stream)
    }

    /// Adds a bilevel oracle's calls to `counts` (and its outer loss to `lastLoss`).
    func recordBilevel(gradients: Int = 0, products: Int = 0, examples: Int = 0, loss: Float? = nil) {
        counts.gradientEvaluations += gradients
        counts.hessianVectorProducts += products
        counts.examples += examples
        if let loss { lastLoss = loss }
    }

    /// Number of examples in the current batch.
    public var currentBatchSize: Int { session.currentExamples }

    /// Replaces the current batch by a fresh one of `size` examples (default: `batchSize`).
    public func drawBatch(size: Int? = nil) {
        let n = size ?? batchSize
        precondition(n >= 1, "Oracle.drawBatch: size must be ≥ 1, got \(n)")
        session.draw(n)
        counts.examples += n
        lastLoss = nil
    }

    /// Mean loss on the current batch at `parameters`; its gradient is written into `gradient`.
    @discardableResult
    public func gradient(at parameters: ParameterSet, into gradient: inout ParameterSet) -> Float {
        counts.gradientEvaluations += 1
        let value = session.lossAndGradient(parameters, &gradient)
        lastLoss = value
        return value
    }

    /// Mean loss on the current batch at `parameters`, without a gradient.
    public func loss(at parameters: ParameterSet) -> Float {
        counts.functionEvaluations += 1
        let value = session.loss(parameters)
        lastLoss = value
        return value
    }

    /// Hessian of the current batch's mean loss at `parameters`, times `vector`.
    public func hessianVectorProduct(at parameters: ParameterSet, vector: ParameterSet, into result: inout ParameterSet) {
        counts.hessianVectorProducts += 1
        session.hessianVectorProduct(parameters, vector, &result)
    }

    /// Mean loss and gradient on each of `parts` disjoint sub-batches of the current batch
    /// (for gradient-variance tests). Counted as `parts` gradient evaluations.
    public func subBatchGradients(at parameters: ParameterSet, parts: Int) -> [(loss: Float, gradient: ParameterSet)] {
        precondition(parts >= 1 && parts <= currentBatchSize,
                     "Oracle.subBatchGradients: parts must be in 1...\(currentBatchSize), got \(parts)")
        counts.gradientEvaluations += parts
        let results = session.subBatchGradients(parameters, parts)
        lastLoss = results.map(\.loss).reduce(0, +) / Float(parts)
        return results
    }
}

/// The workload and its stream with the batch type erased.
private protocol OracleSession: AnyObject {
    var currentExamples: Int { get }
    func draw(_ size: Int)
    func lossAndGradient(_ p: ParameterSet, _ g: inout ParameterSet) -> Float
    func loss(_ p: ParameterSet) -> Float
    func hessianVectorProduct(_ p: ParameterSet, _ v: ParameterSet, _ r: inout ParameterSet)
    func subBatchGradients(_ p: ParameterSet, _ parts: Int) -> [(loss: Float, gradient: ParameterSet)]
}

private final class Session<W: Workload>: OracleSession {
    let workload: W
    let stream: W.Stream
    var batch: W.Batch?

    init(workload: W, stream: W.Stream) {
        self.workload = workload
        self.stream = stream
    }

    var currentExamples: Int { batch.map(workload.exampleCount) ?? 0 }

    func draw(_ size: Int) { batch = stream.nextBatch(size: size) }

    func current() -> W.Batch {
        guard let batch else { preconditionFailure("Oracle: no batch drawn yet (the runner draws one at each step)") }
        return batch
    }

    func lossAndGradient(_ p: ParameterSet, _ g: inout ParameterSet) -> Float {
        workload.lossAndGradient(p, batch: current(), into: &g)
    }

    func loss(_ p: ParameterSet) -> Float { workload.loss(p, batch: current()) }

    func hessianVectorProduct(_ p: ParameterSet, _ v: ParameterSet, _ r: inout ParameterSet) {
        workload.hessianVectorProduct(p, batch: current(), vector: v, into: &r)
    }

    func subBatchGradients(_ p: ParameterSet, _ parts: Int) -> [(loss: Float, gradient: ParameterSet)] {
        workload.split(current(), into: parts).map { part in
            var g = ParameterSet.zeros(like: p)
            let l = workload.lossAndGradient(p, batch: part, into: &g)
            return (l, g)
        }
    }
}
