import Core
import NN

/// BO-REP: normalized momentum on the outer variable, with initialization refinement
/// and periodic updates of the inner variable.
///
/// Hao, Gong & Liu, "Bilevel Optimization under Unbounded Smoothness: A New Algorithm
/// and Convergence Analysis" (ICLR 2024). Before the first step, N₀ =
/// `refinement_steps` SGD steps `z ← z − α·∇_z g` (initialization refinement); every
/// I = `update_period` steps, N = `inner_steps` more (periodic updates; z is frozen in
/// between). Every step, on one inner and one outer batch: `v ← v − ν·(∇²_zz g·v + ∇_z f)`
/// (ν = `linear_step_size`, one SGD step on the linear system), `h = ∇_x f + ∇²_xz g·v`,
/// `m ← β·m + (1 − β)·h` (β = `momentum`), `x ← x − γ·m/‖m‖` (γ = `outer_step_size`).
/// Oracle calls per step: one outer gradient, one Hessian-vector product, one
/// cross-derivative product, plus N inner gradients on steps k ≡ 0 (mod I) and N₀ more
/// on step 0.
public struct BOREP: BilevelSolver {
    public static let name = "borep"

    public static let searchSpace = SearchSpace([
        "inner_step_size": .range(min: 1e-3, max: 1, scaling: .log),
        "outer_step_size": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_momentum": .range(min: 0.01, max: 0.5, scaling: .log),
        "update_period": .feasiblePoints([2, 5]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "inner_step_size": 0.1, "outer_step_size": 0.01, "one_minus_momentum": 0.1, "update_period": 2,
        "inner_steps": 3, "refinement_steps": 20,
    ])

    let innerStep: Float, linearStep: Float, outerStep: Float, momentum: Float
    let updatePeriod: Int, innerSteps: Int, refinementSteps: Int
    let batches: BilevelBatchSizes
    var z: ParameterSet?, v: ParameterSet, m: ParameterSet
    var scratch: BilevelScratch

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        let inner = try Self.innerLayout(of: info)
        innerStep = Float(try hyperparameters.positive("inner_step_size", default: 0.1))
        linearStep = Float(try hyperparameters.positive("linear_step_size", default: Double(innerStep)))
        outerStep = Float(try hyperparameters.positive("outer_step_size", default: 0.01))
        momentum = Float(try hyperparameters.decayRate(oneMinus: "one_minus_momentum", default: 0.1))
        updatePeriod = try hyperparameters.integer("update_period", default: 2, in: 1...10_000)
        innerSteps = try hyperparameters.integer("inner_steps", default: 3, in: 0...10_000)
        refinementSteps = try hyperparameters.integer("refinement_steps", default: 20, in: 0...1_000_000)
        batches = try BilevelBatchSizes(hyperparameters, info: info)
        v = ParameterSet(layout: inner)
        m = ParameterSet(layout: info.layout)
        scratch = BilevelScratch(inner: inner, outer: info.layout)
    }

    public mutating func step(_ x: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        let bilevel = try Self.bilevelOracle(oracle)
        var z = self.z ?? bilevel.initialInner()
        var sgdSteps = context.step % updatePeriod == 0 ? innerSteps : 0
        if self.z == nil { sgdSteps += refinementSteps }
        scratch.descendInner(&z, at: x, steps: sgdSteps, stepSize: innerStep, batchSize: batches.inner, oracle: bilevel)
        bilevel.drawInnerBatch(size: batches.inner)
        bilevel.drawOuterBatch(size: batches.outer)
        bilevel.outerGradients(at: z, x, dz: &scratch.outerGradientZ, dx: &scratch.outerGradientX)
        bilevel.hessianVectorProduct(at: z, x, v, into: &scratch.hessianProduct)
        bilevel.crossProduct(at: z, x, v, into: &scratch.crossProduct)
        BilevelVectors.add(-linearStep, BilevelVectors.sum(scratch.hessianProduct, scratch.outerGradientZ), to: &v)
        let beta = momentum, h = scratch.hypergradient
        m.values.withUnsafeMutableBufferPointer { ms in
            for i in 0..<ms.count { ms[i] = beta * ms[i] + (1 - beta) * h.values[i] }
        }
        let size = BilevelVectors.norm(m)
        if size > 0 { BilevelVectors.add(-outerStep / Float(size), m, to: &x) }
        self.z = z
    }

    public var stateBytes: Int { (2 * v.values.count + m.values.count) * MemoryLayout<Float>.size }
}
