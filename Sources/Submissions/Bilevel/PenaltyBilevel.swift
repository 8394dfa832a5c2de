import Core
import NN

/// A first-order penalty method: single-loop gradient steps on the value-function
/// penalty with a growing penalty weight, no second derivatives.
///
/// Kwon, Kwon, Wright & Nowak, "On Penalty Methods for Nonconvex Bilevel Optimization and
/// First-Order Stochastic Approximation" (ICLR 2024). With λ_k the penalty weight, the
/// method minimises `L_λ(x, y) = f(y, x) + λ·(g(y, x) − min_z g(z, x))` jointly: each
/// step draws an inner and an outer batch and, at the current (x, y, z),
/// `z ← z − α·∇_z g(z, x)`, `y ← y − α·(∇_y f(y, x)/λ + ∇_y g(y, x))`,
/// `x ← x − γ·(∇_x f(y, x) + λ·(∇_x g(y, x) − ∇_x g(z, x)))`, then
/// `λ ← min(λ_max, λ + δ)` (λ₀ = `penalty`, δ = `penalty_growth`, λ_max = `max_penalty`).
/// The y-step is scaled by 1/λ so α is a step size in units of g's curvature for every λ.
/// Oracle calls per step: two inner gradients (at y and at z), one outer gradient.
public struct PenaltyBilevel: BilevelSolver {
    public static let name = "penalty"

    public static let searchSpace = SearchSpace([
        "inner_step_size": .range(min: 1e-3, max: 1, scaling: .log),
        "outer_step_size": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "penalty": .range(min: 1, max: 100, scaling: .log),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "inner_step_size": 0.1, "outer_step_size": 0.01, "penalty": 10, "penalty_growth": 0.1, "max_penalty": 1000,
    ])

    let innerStep: Float, outerStep: Float
    let growth: Double, maximumPenalty: Double
    let batches: BilevelBatchSizes
    /// The current penalty weight λ.
    private(set) var penalty: Double
    var lower: ValueFunctionPenalty

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        let inner = try Self.innerLayout(of: info)
        innerStep = Float(try hyperparameters.positive("inner_step_size", default: 0.1))
        outerStep = Float(try hyperparameters.positive("outer_step_size", default: 0.01))
        penalty = try hyperparameters.positive("penalty", default: 10)
        growth = try hyperparameters.nonNegative("penalty_growth", default: 0.1)
        maximumPenalty = max(penalty, try hyperparameters.positive("max_penalty", default: 1000))
        batches = try BilevelBatchSizes(hyperparameters, info: info)
        lower = ValueFunctionPenalty(inner: inner, outer: info.layout)
    }

    public mutating func step(_ x: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        let bilevel = try Self.bilevelOracle(oracle)
        bilevel.drawInnerBatch(size: batches.inner)
        bilevel.drawOuterBatch(size: batches.outer)
        lower.evaluate(at: x, oracle: bilevel)
        let lambda = Float(penalty)
        lower.moveInner(stepSize: innerStep, multiplier: lambda)
        lower.moveOuter(&x, stepSize: outerStep, multiplier: lambda)
        penalty = min(maximumPenalty, penalty + growth)
    }

    public var stateBytes: Int { lower.stateBytes }
}
