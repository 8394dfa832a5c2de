import Core
import NN

/// AmIGO: a warm-started inner solve and a warm-started iterative linear-system solve
/// before each outer step.
///
/// Arbel & Mairal, "Amortized Implicit Differentiation for Stochastic Bilevel
/// Optimization" (ICLR 2022). Each step: T = `inner_steps` SGD steps
/// `z ← z − α·∇_z g` (α = `inner_step_size`, a fresh inner batch each); one outer batch
/// gives `∇_z f` and `∇_x f`; M = `linear_steps` SGD steps on the linear system
/// `v ← v − β·(∇²_zz g·v + ∇_z f)` (β = `linear_step_size`, a fresh inner batch each);
/// then a fresh inner batch for `x ← x − γ·(∇_x f + ∇²_xz g·v)` (γ = `outer_step_size`).
/// z and v carry over between steps (the amortisation). Oracle calls per step: T inner
/// gradients, one outer gradient, M Hessian-vector products, one cross-derivative product.
public struct AmIGO: BilevelSolver {
    public static let name = "amigo"

    public static let searchSpace = SearchSpace([
        "inner_step_size": .range(min: 1e-3, max: 1, scaling: .log),
        "outer_step_size": .range(min: 1e-4, max: 1, scaling: .log),
        "inner_steps": .feasiblePoints([5, 10]),
        "linear_steps": .feasiblePoints([5, 10]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "inner_step_size": 0.1, "outer_step_size": 0.01, "inner_steps": 10, "linear_steps": 10,
    ])

    let innerStep: Float, linearStep: Float, outerStep: Float
    let innerSteps: Int, linearSteps: Int
    let batches: BilevelBatchSizes
    var z: ParameterSet?, v: ParameterSet
    var scratch: BilevelScratch

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        let inner = try Self.innerLayout(of: info)
        innerStep = Float(try hyperparameters.positive("inner_step_size", default: 0.1))
        linearStep = Float(try hyperparameters.positive("linear_step_size", default: Double(innerStep)))
        outerStep = Float(try hyperparameters.positive("outer_step_size", default: 0.01))
        innerSteps = try hyperparameters.integer("inner_steps", default: 10, in: 1...10_000)
        linearSteps = try hyperparameters.integer("linear_steps", default: 10, in: 1...10_000)
        batches = try BilevelBatchSizes(hyperparameters, info: info)
        v = ParameterSet(layout: inner)
        scratch = BilevelScratch(inner: inner, outer: info.layout)
    }

    public mutating func step(_ x: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        let bilevel = try Self.bilevelOracle(oracle)
        var z = self.z ?? bilevel.initialInner()
        scratch.descendInner(&z, at: x, steps: innerSteps, stepSize: innerStep, batchSize: batches.inner, oracle: bilevel)
        bilevel.drawOuterBatch(size: batches.outer)
        bilevel.outerGradients(at: z, x, dz: &scratch.outerGradientZ, dx: &scratch.outerGradientX)
        for _ in 0..<linearSteps {
            bilevel.drawInnerBatch(size: batches.inner)
            bilevel.hessianVectorProduct(at: z, x, v, into: &scratch.hessianProduct)
            BilevelVectors.add(-linearStep, BilevelVectors.sum(scratch.hessianProduct, scratch.outerGradientZ), to: &v)
        }
        bilevel.drawInnerBatch(size: batches.inner)
        bilevel.crossProduct(at: z, x, v, into: &scratch.crossProduct)
        BilevelVectors.add(-outerStep, scratch.hypergradient, to: &x)
        self.z = z
    }

    public var stateBytes: Int { 2 * v.values.count * MemoryLayout<Float>.size }
}
