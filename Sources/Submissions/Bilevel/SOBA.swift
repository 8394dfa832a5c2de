import Core
import NN

/// SOBA: single-loop joint updates of the inner variable, the linear-system variable
/// and the outer variable.
///
/// Dagréou, Ablin, Vaiter & Moreau, "A Framework for Bilevel Optimization that Enables
/// Stochastic and Global Variance Reduction Algorithms" (NeurIPS 2022). Each step draws
/// an inner batch and an outer batch and, at the current (z, v, x),
/// `D_z = ∇_z g`, `D_v = ∇²_zz g·v + ∇_z f`, `D_x = ∇_x f + ∇²_xz g·v`, then
/// `z ← z − ρ·D_z`, `v ← v − ρ·D_v`, `x ← x − γ·D_x` (v tracks −[∇²_zz g]⁻¹∇_z f, so D_x
/// estimates the hypergradient). Constant step sizes ρ = `inner_step_size` and
/// γ = `outer_step_size` (the paper's analysis decays them as t^(−2/5) and t^(−3/5)).
/// Oracle calls per step: one inner gradient, one outer gradient, one Hessian-vector
/// product, one cross-derivative product.
public struct SOBA: BilevelSolver {
    public static let name = "soba"

    public static let searchSpace = SearchSpace([
        "inner_step_size": .range(min: 1e-3, max: 1, scaling: .log),
        "outer_step_size": .range(min: 1e-4, max: 1, scaling: .log),
    ])

    public static let defaultHyperparameters = Hyperparameters(["inner_step_size": 0.1, "outer_step_size": 0.01])

    let innerStep: Float, outerStep: Float
    let batches: BilevelBatchSizes
    var z: ParameterSet?, v: ParameterSet
    var scratch: BilevelScratch

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        let inner = try Self.innerLayout(of: info)
        innerStep = Float(try hyperparameters.positive("inner_step_size", default: 0.1))
        outerStep = Float(try hyperparameters.positive("outer_step_size", default: 0.01))
        batches = try BilevelBatchSizes(hyperparameters, info: info)
        v = ParameterSet(layout: inner)
        scratch = BilevelScratch(inner: inner, outer: info.layout)
    }

    public mutating func step(_ x: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        let bilevel = try Self.bilevelOracle(oracle)
        var z = self.z ?? bilevel.initialInner()
        bilevel.drawInnerBatch(size: batches.inner)
        bilevel.drawOuterBatch(size: batches.outer)
        bilevel.innerGradients(at: z, x, dz: &scratch.innerGradient, dx: &scratch.innerGradientX)
        bilevel.outerGradients(at: z, x, dz: &scratch.outerGradientZ, dx: &scratch.outerGradientX)
        bilevel.hessianVectorProduct(at: z, x, v, into: &scratch.hessianProduct)
        bilevel.crossProduct(at: z, x, v, into: &scratch.crossProduct)
        BilevelVectors.add(-innerStep, scratch.innerGradient, to: &z)
        BilevelVectors.add(-innerStep, BilevelVectors.sum(scratch.hessianProduct, scratch.outerGradientZ), to: &v)
        BilevelVectors.add(-outerStep, scratch.hypergradient, to: &x)
        self.z = z
    }

    public var stateBytes: Int { 2 * v.values.count * MemoryLayout<Float>.size }
}
