import Core
import NN
import Submissions
import Testing

/// A bilevel problem with a closed-form solution, as a workload offering the bilevel
/// oracle: `g(z, x) = ½zᵀAz − zᵀBx`, `f(z, x) = ½‖z − c‖² + ½μ‖x‖²` with z ∈ ℝ⁴,
/// x ∈ ℝ³, so `z*(x) = A⁻¹Bx` and `x* = (MᵀM + μI)⁻¹Mᵀc` with `M = A⁻¹B`.
/// Minibatches are the whole (deterministic) problem; the generic path's gradient is the
/// exact hypergradient `Mᵀ(Mx − c) + μx`.
final class QuadraticBilevel: Workload, BilevelSession {
    typealias Batch = Int

    final class Stream: DataStream {
        func nextBatch(size: Int) -> Int { size }
    }

    static let a: [[Double]] = [[2, 0.3, 0, 0], [0.3, 1.5, 0.2, 0], [0, 0.2, 1.2, 0.1], [0, 0, 0.1, 1]]
    static let b: [[Double]] = [[1, 0, 0.5], [0, 1, 0], [0.5, 0, 1], [0.2, 0.3, 0]]
    static let c: [Double] = [1, -1, 0.5, 2]
    static let mu = 0.1

    let spec: WorkloadSpec
    let info: WorkloadInfo
    let outerLayout: ParameterLayout
    let innerLayout: ParameterLayout

    init() {
        var outer = ParameterLayout()
        outer.add("x", shape: [3], kind: .weight)
        var inner = ParameterLayout()
        inner.add("z", shape: [4], kind: .weight)
        outerLayout = outer
        innerLayout = inner
        spec = WorkloadSpec(
            name: "quadratic_bilevel", settings: [:], defaultBatchSize: 1, lossType: .custom, metric: "outer objective",
            direction: .minimize, validationTarget: Self.optimalValue + 1e-6, testTarget: Self.optimalValue + 1e-6,
            maxRuntimeSeconds: 10, evalPeriodSeconds: 1, stepHint: 100, provisional: true)
        info = WorkloadInfo(
            name: "quadratic_bilevel", layout: outer, lossType: .custom, defaultBatchSize: 1, stepHint: 100,
            trainingExamples: nil, innerLayout: inner)
    }

    // MARK: Closed form (Double)

    /// `M = A⁻¹B` (4 × 3).
    static let m: [[Double]] = {
        let columns = (0..<3).map { j in solve(a, b.map { $0[j] }) }
        return (0..<4).map { i in (0..<3).map { j in columns[j][i] } }
    }()

    /// `x* = (MᵀM + μI)⁻¹Mᵀc`.
    static let optimum: [Double] = {
        let columns = (0..<3).map { j in m.map { $0[j] } }
        let normal = (0..<3).map { i in (0..<3).map { j in dot(columns[i], columns[j]) + (i == j ? mu : 0) } }
        let right = transposedProduct(m, c)
        return solve(normal, right)
    }()

    static var optimalValue: Double { objective(optimum) }

    /// `F(x) = ½‖Mx − c‖² + ½μ‖x‖²`.
    static func objective(_ x: [Double]) -> Double {
        let residual = zip(product(m, x), c).map { $0 - $1 }
        return 0.5 * dot(residual, residual) + 0.5 * mu * dot(x, x)
    }

    /// Gaussian elimination with partial pivoting (small dense systems only).
    static func solve(_ matrix: [[Double]], _ right: [Double]) -> [Double] {
        var m = matrix, r = right
        let n = r.count
        for k in 0..<n {
            let pivot = (k..<n).max { abs(m[$0][k]) < abs(m[$1][k]) }!
            m.swapAt(k, pivot)
            r.swapAt(k, pivot)
            for i in (k + 1)..<n {
                let factor = m[i][k] / m[k][k]
                for j in k..<n { m[i][j] -= factor * m[k][j] }
                r[i] -= factor * r[k]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            let known = dot(Array(m[i][(i + 1)...]), Array(x[(i + 1)...]))
            x[i] = (r[i] - known) / m[i][i]
        }
        return x
    }

    /// Distance of `x` from `x*`.
    static func distanceToOptimum(_ x: ParameterSet) -> Double {
        let difference = zip(x.values, optimum).map { Double($0) - $1 }
        return dot(difference, difference).squareRoot()
    }

    // MARK: Workload (the generic path: exact hypergradient)

    func initialParameters(seed: UInt64) -> ParameterSet { ParameterSet(layout: outerLayout) }
    func makeDataStream(seed: UInt64) -> Stream { Stream() }

    func lossAndGradient(_ x: ParameterSet, batch: Int, into gradient: inout ParameterSet) -> Float {
        let xs = x.values.map(Double.init)
        let residual = zip(Self.product(Self.m, xs), Self.c).map { $0 - $1 }
        let mtr = Self.transposedProduct(Self.m, residual)
        for j in 0..<3 { gradient.values[j] = Float(mtr[j] + Self.mu * xs[j]) }
        return Float(Self.objective(xs))
    }

    func loss(_ x: ParameterSet, batch: Int) -> Float { Float(Self.objective(x.values.map(Double.init))) }

    func hessianVectorProduct(_ x: ParameterSet, batch: Int, vector: ParameterSet, into result: inout ParameterSet) {
        finiteDifferenceHessianVectorProduct(x, batch: batch, vector: vector, into: &result)
    }

    func exampleCount(of batch: Int) -> Int { batch }
    func split(_ batch: Int, into parts: Int) -> [Int] { Array(repeating: batch, count: parts) }

    func evaluate(_ x: ParameterSet) -> Metrics {
        let value = Self.objective(x.values.map(Double.init))
        return Metrics(trainLoss: value, validationMetric: value, testMetric: value)
    }

    func bilevelSession(stream: Stream) -> (any BilevelSession)? { self }

    // MARK: BilevelSession (exact derivatives; batches are the whole problem)

    func initialInner() -> ParameterSet { ParameterSet(layout: innerLayout) }
    func drawInner(_ size: Int) {}
    func drawOuter(_ size: Int) {}

    func innerGradients(_ z: ParameterSet, _ x: ParameterSet, dz: inout ParameterSet, dx: inout ParameterSet) -> Float {
        let zs = z.values.map(Double.init), xs = x.values.map(Double.init)
        let az = Self.product(Self.a, zs), bx = Self.product(Self.b, xs), btz = Self.transposedProduct(Self.b, zs)
        for i in 0..<4 { dz.values[i] = Float(az[i] - bx[i]) }
        for j in 0..<3 { dx.values[j] = Float(-btz[j]) }
        return Float(0.5 * Self.dot(zs, az) - Self.dot(zs, bx))
    }

    func outerGradients(_ z: ParameterSet, _ x: ParameterSet, dz: inout ParameterSet, dx: inout ParameterSet) -> Float {
        let zs = z.values.map(Double.init), xs = x.values.map(Double.init)
        let offset = zip(zs, Self.c).map { $0 - $1 }
        for i in 0..<4 { dz.values[i] = Float(offset[i]) }
        for j in 0..<3 { dx.values[j] = Float(Self.mu * xs[j]) }
        return Float(0.5 * Self.dot(offset, offset) + 0.5 * Self.mu * Self.dot(xs, xs))
    }

    func innerHessianVectorProduct(_ z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, into result: inout ParameterSet) {
        let av = Self.product(Self.a, v.values.map(Double.init))
        for i in 0..<4 { result.values[i] = Float(av[i]) }
    }

    func crossDerivativeProduct(_ z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, into result: inout ParameterSet) {
        let btv = Self.transposedProduct(Self.b, v.values.map(Double.init))
        for j in 0..<3 { result.values[j] = Float(-btv[j]) }
    }

    // MARK: Small dense algebra

    static func dot(_ u: [Double], _ v: [Double]) -> Double { zip(u, v).reduce(0.0) { $0 + $1.0 * $1.1 } }
    static func product(_ matrix: [[Double]], _ v: [Double]) -> [Double] { matrix.map { dot($0, v) } }
    static func transposedProduct(_ matrix: [[Double]], _ v: [Double]) -> [Double] {
        (0..<matrix[0].count).map { j in dot(matrix.map { $0[j] }, v) }
    }
}

/// Running a bilevel solver on `QuadraticBilevel` by hand.
enum BilevelSolverTestSupport {
    /// `steps` steps of `solver` from x = 0; the final x and the oracle's counts after each step.
    static func run(
        _ solver: any BilevelSolver.Type, _ hyperparameters: Hyperparameters, steps: Int
    ) throws -> (x: ParameterSet, counts: [BilevelOracleCounts]) {
        let workload = QuadraticBilevel()
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 0))
        let bilevel = try #require(oracle.bilevel)
        var instance = try solver.init(
            info: workload.info, hyperparameters: solver.defaultHyperparameters.merging(hyperparameters),
            budget: Budget(maxRuntimeSeconds: 10, stepHint: steps))
        var x = workload.initialParameters(seed: 0)
        var counts: [BilevelOracleCounts] = []
        for step in 0..<steps {
            try instance.step(&x, oracle: oracle, context: StepContext(step: step, stepHint: steps, submissionTime: 0, lastEvaluation: nil))
            counts.append(bilevel.counts)
        }
        return (x, counts)
    }

    /// The calls made in each step (differences of the running counts).
    static func perStep(_ counts: [BilevelOracleCounts]) -> [BilevelOracleCounts] {
        zip([BilevelOracleCounts()] + counts, counts).map { before, after in
            BilevelOracleCounts(
                innerGradients: after.innerGradients - before.innerGradients,
                outerGradients: after.outerGradients - before.outerGradients,
                hessianVectorProducts: after.hessianVectorProducts - before.hessianVectorProducts,
                crossProducts: after.crossProducts - before.crossProducts)
        }
    }
}
