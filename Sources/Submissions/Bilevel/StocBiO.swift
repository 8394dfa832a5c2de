import Core
import NN

/// StocBiO-style stochastic implicit differentiation: warm-started inner SGD, then a
/// Neumann-series approximation of the inverse inner Hessian.
///
/// Ji, Yang & Liang, "Bilevel Optimization: Convergence Analysis and Enhanced Design"
/// (ICML 2021). Each step: T = `inner_steps` SGD steps `z ← z − α·∇_z g` (fresh inner
/// batches, z warm-started across steps); one outer batch gives `∇_z f`, `∇_x f`; with
/// η = `neumann_step_size` and Q = `neumann_terms`, `p₀ = ∇_z f`,
/// `p_q = p_{q−1} − η·∇²_zz g·p_{q−1}` (a fresh inner batch each, q = 1…Q−1) and
/// `v = −η·Σ_{q<Q} p_q ≈ −[∇²_zz g]⁻¹∇_z f`; a fresh inner batch gives the cross product
/// and `x ← x − γ·(∇_x f + ∇²_xz g·v)`. Oracle calls per step: T inner gradients, one
/// outer gradient, Q − 1 Hessian-vector products, one cross-derivative product.
public struct StocBiO: BilevelSolver {
    public static let name = "stocbio"

    public static let searchSpace = SearchSpace([
        "inner_step_size": .range(min: 1e-3, max: 1, scaling: .log),
        "outer_step_size": .range(min: 1e-4, max: 1, scaling: .log),
        "neumann_step_size": .range(min: 1e-3, max: 1, scaling: .log),
        "neumann_terms": .feasiblePoints([5, 10, 20]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "inner_step_size": 0.1, "outer_step_size": 0.01, "inner_steps": 10, "neumann_step_size": 0.1, "neumann_terms": 10,
    ])

    let innerStep: Float, outerStep: Float, neumannStep: Float
    let innerSteps: Int, neumannTerms: Int
    let batches: BilevelBatchSizes
    var z: ParameterSet?
    var scratch: BilevelScratch

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        let inner = try Self.innerLayout(of: info)
        innerStep = Float(try hyperparameters.positive("inner_step_size", default: 0.1))
        outerStep = Float(try hyperparameters.positive("outer_step_size", default: 0.01))
        neumannStep = Float(try hyperparameters.positive("neumann_step_size", default: Double(innerStep)))
        innerSteps = try hyperparameters.integer("inner_steps", default: 10, in: 1...10_000)
        neumannTerms = try hyperparameters.integer("neumann_terms", default: 10, in: 1...10_000)
        batches = try BilevelBatchSizes(hyperparameters, info: info)
        scratch = BilevelScratch(inner: inner, outer: info.layout)
    }

    public mutating func step(_ x: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        let bilevel = try Self.bilevelOracle(oracle)
        var z = self.z ?? bilevel.initialInner()
        scratch.descendInner(&z, at: x, steps: innerSteps, stepSize: innerStep, batchSize: batches.inner, oracle: bilevel)
        bilevel.drawOuterBatch(size: batches.outer)
        bilevel.outerGradients(at: z, x, dz: &scratch.outerGradientZ, dx: &scratch.outerGradientX)
        var term = scratch.outerGradientZ, series = term
        for _ in 1..<neumannTerms {
            bilevel.drawInnerBatch(size: batches.inner)
            bilevel.hessianVectorProduct(at: z, x, term, into: &scratch.hessianProduct)
            BilevelVectors.add(-neumannStep, scratch.hessianProduct, to: &term)
            BilevelVectors.add(1, term, to: &series)
        }
        var v = ParameterSet.zeros(like: series)
        BilevelVectors.add(-neumannStep, series, to: &v)
        bilevel.drawInnerBatch(size: batches.inner)
        bilevel.crossProduct(at: z, x, v, into: &scratch.crossProduct)
        BilevelVectors.add(-outerStep, scratch.hypergradient, to: &x)
        self.z = z
    }

    public var stateBytes: Int { scratch.innerGradient.values.count * MemoryLayout<Float>.size }
}
