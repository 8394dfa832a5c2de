import Core
import NN
import Tensor

/// A minibatch of a bilevel problem: inner (training) and outer (validation) example indices.
public struct BilevelBatch: Sendable, Equatable {
    public var inner: [Int]
    public var outer: [Int]
    public init(inner: [Int], outer: [Int]) {
        self.inner = inner
        self.outer = outer
    }
}

/// The standard `Workload` view of a `BilevelProblem`: the parameters are the outer
/// variable `x`, the loss is the outer loss `f` on the batch's outer (validation)
/// examples at the inner solution, and the gradient is the hypergradient of the fixed
/// `HypergradientProcedure` (warm-started Newton–CG inner steps on all training data,
/// then implicit differentiation by conjugate gradients with exact Hessian-vector
/// products). The batch's inner indices are unused here; bilevel solvers (`BilevelSolver`)
/// draw their own minibatches through the trial's `BilevelOracle` (`bilevelSession`).
///
/// The warm starts (`z` and the adjoint `q`) are state: they reset in
/// `initialParameters(seed:)` (the start of every trial) and then follow the sequence
/// of `lossAndGradient`/`loss` calls, so a trial is deterministic. `evaluate` never
/// changes them. Hessian-vector products in `x` are central finite differences of
/// hypergradients (approximate: they include the warm-started inner steps).
public final class HypergradientWorkload<Problem: BilevelProblem>: Workload {
    public typealias Batch = BilevelBatch

    /// Inner and outer indices, each in its own reshuffled epochs; `nextBatch(size:)`
    /// draws `size` of each.
    public final class Stream: DataStream {
        private var innerSampler: EpochSampler
        private var outerSampler: EpochSampler

        init(innerCount: Int, outerCount: Int, seed: UInt64) {
            innerSampler = EpochSampler(count: innerCount, seed: StableHash.derive(seed, "bilevel.inner"))
            outerSampler = EpochSampler(count: outerCount, seed: StableHash.derive(seed, "bilevel.outer"))
        }

        public func nextBatch(size: Int) -> BilevelBatch {
            BilevelBatch(inner: innerSampler.next(size), outer: outerSampler.next(size))
        }

        /// `size` inner (training) indices only.
        public func nextInnerIndices(size: Int) -> [Int] { innerSampler.next(size) }
        /// `size` outer (validation) indices only.
        public func nextOuterIndices(size: Int) -> [Int] { outerSampler.next(size) }
    }

    public let spec: WorkloadSpec
    public let info: WorkloadInfo
    public let problem: Problem
    public let procedure: HypergradientProcedure
    /// Warm-started inner variable and adjoint of the training procedure.
    public private(set) var warmInner: ParameterSet
    private var warmAdjoint: [Float]

    /// Reads the procedure's settings and lets `makeProblem` read the rest, then rejects unknown keys.
    public init(spec: WorkloadSpec, makeProblem: (inout JSONObjectReader) throws -> Problem) throws {
        var reader = try spec.settingsReader()
        procedure = try HypergradientProcedure(&reader)
        problem = try makeProblem(&reader)
        try reader.finish()
        self.spec = spec
        warmInner = problem.initialInner()
        warmAdjoint = [Float](repeating: 0, count: problem.innerLayout.count)
        info = WorkloadInfo(
            name: spec.name, layout: problem.outerLayout, lossType: .custom, defaultBatchSize: spec.defaultBatchSize,
            stepHint: spec.stepHint, trainingExamples: problem.outerExampleCount, innerLayout: problem.innerLayout)
    }

    /// The problem's initial outer variable (seed-independent); resets the warm starts.
    public func initialParameters(seed: UInt64) -> ParameterSet {
        warmInner = problem.initialInner()
        warmAdjoint = [Float](repeating: 0, count: problem.innerLayout.count)
        return problem.initialOuter()
    }

    public func makeDataStream(seed: UInt64) -> Stream {
        Stream(innerCount: problem.innerExampleCount, outerCount: problem.outerExampleCount, seed: seed)
    }

    /// Bilevel solvers' access to the problem: minibatches from `stream`, exact derivatives.
    public func bilevelSession(stream: Stream) -> (any BilevelSession)? {
        ProblemBilevelSession(problem: problem, stream: stream)
    }

    private func checkOuter(_ x: ParameterSet) {
        precondition(x.values.count == problem.outerLayout.count,
                     "\(spec.name): outer parameters have \(x.values.count) values, expected \(problem.outerLayout.count)")
    }

    /// Step 1 of the procedure: warm-started inner steps (updates the warm start).
    private func advanceInner(_ x: ParameterSet) -> ParameterSet {
        checkOuter(x)
        warmInner = InnerSolver.newton(
            problem, x: x, from: warmInner, steps: procedure.innerSteps, cgIterations: procedure.innerCGIterations,
            gradientTolerance: HypergradientProcedure.stationarityTolerance).z
        return warmInner
    }

    public func lossAndGradient(_ x: ParameterSet, batch: BilevelBatch, into gradient: inout ParameterSet) -> Float {
        let z = advanceInner(x)
        var dz = ParameterSet(layout: problem.innerLayout)
        var dx = ParameterSet(layout: problem.outerLayout)
        let value = problem.outerGradients(z, x, examples: batch.outer, dz: &dz, dx: &dx)
        warmAdjoint = ConjugateGradient.solve(
            { v in InnerSolver.hessianProduct(self.problem, z, x, v) }, rightHandSide: dz.values, start: warmAdjoint,
            maxIterations: procedure.adjointCGIterations, tolerance: HypergradientProcedure.cgTolerance
        ).solution
        var cross = ParameterSet(layout: problem.outerLayout)
        problem.crossDerivativeProduct(z, x, ParameterSet(layout: problem.innerLayout, values: warmAdjoint), examples: nil, into: &cross)
        precondition(gradient.values.count == dx.values.count, "\(spec.name): gradient buffer has \(gradient.values.count) values, expected \(dx.values.count)")
        for i in gradient.values.indices { gradient.values[i] = dx.values[i] - cross.values[i] }
        return value
    }

    /// The outer loss on the batch after the warm-started inner steps at `x`.
    public func loss(_ x: ParameterSet, batch: BilevelBatch) -> Float {
        let z = advanceInner(x)
        return problem.outerValue(z, x, examples: batch.outer)
    }

    public func hessianVectorProduct(_ x: ParameterSet, batch: BilevelBatch, vector: ParameterSet, into result: inout ParameterSet) {
        finiteDifferenceHessianVectorProduct(x, batch: batch, vector: vector, into: &result)
    }

    public func exampleCount(of batch: BilevelBatch) -> Int { batch.outer.count }

    public func split(_ batch: BilevelBatch, into parts: Int) -> [BilevelBatch] {
        let outer = evenRanges(count: batch.outer.count, parts: parts)
        let inner = evenRanges(count: batch.inner.count, parts: min(parts, max(batch.inner.count, 1)))
        return (0..<parts).map { p in
            BilevelBatch(inner: p < inner.count ? Array(batch.inner[inner[p]]) : [], outer: Array(batch.outer[outer[p]]))
        }
    }

    /// An accurate inner solution at `x` (Newton–CG to `‖∇_z g‖ ≤ 1e-6`), from the
    /// training warm start, which is left unchanged.
    public func solveInner(_ x: ParameterSet) -> (z: ParameterSet, gradientNorm: Double) {
        checkOuter(x)
        return InnerSolver.newton(
            problem, x: x, from: warmInner, steps: HypergradientProcedure.evaluationMaxSteps,
            cgIterations: HypergradientProcedure.evaluationCGIterations, gradientTolerance: HypergradientProcedure.evaluationTolerance)
    }

    /// The problem's metrics at the accurately solved inner problem.
    public func evaluate(_ x: ParameterSet) -> Metrics {
        problem.metrics(solveInner(x).z, x)
    }
}
