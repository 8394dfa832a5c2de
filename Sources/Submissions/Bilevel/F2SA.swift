import Core
import NN

/// F2SA: the fully first-order stochastic approximation of the value-function
/// reformulation, with inner loops and a growing multiplier.
///
/// Kwon, Kwon, Wright & Nowak, "A Fully First-Order Method for Stochastic Bilevel
/// Optimization" (ICML 2023). Each step runs T = `inner_steps` pairs of inner updates
/// (a fresh inner and outer batch each): `z ← z − α·∇_z g(z, x)` and
/// `y ← y − α·(∇_y f(y, x)/λ + ∇_y g(y, x))` (so y → argmin f/λ + g and z → argmin g),
/// then, on fresh batches, `x ← x − γ·(∇_x f(y, x) + λ·(∇_x g(y, x) − ∇_x g(z, x)))` and
/// `λ ← min(λ_max, λ + δ)` (λ₀ = `multiplier`, δ = `multiplier_growth`). The y-step is
/// scaled by 1/λ (the paper's y-step size α/λ on f, α on g). Oracle calls per step:
/// 2T + 2 inner gradients, T + 1 outer gradients; no second derivatives.
public struct F2SA: BilevelSolver {
    public static let name = "f2sa"

    public static let searchSpace = SearchSpace([
        "inner_step_size": .range(min: 1e-3, max: 1, scaling: .log),
        "outer_step_size": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "multiplier": .range(min: 1, max: 100, scaling: .log),
        "inner_steps": .feasiblePoints([5, 10]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "inner_step_size": 0.1, "outer_step_size": 0.01, "multiplier": 10, "multiplier_growth": 1, "max_multiplier": 1000,
        "inner_steps": 10,
    ])

    let innerStep: Float, outerStep: Float
    let growth: Double, maximumMultiplier: Double
    let innerSteps: Int
    let batches: BilevelBatchSizes
    /// The current multiplier λ.
    private(set) var multiplier: Double
    var lower: ValueFunctionPenalty

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        let inner = try Self.innerLayout(of: info)
        innerStep = Float(try hyperparameters.positive("inner_step_size", default: 0.1))
        outerStep = Float(try hyperparameters.positive("outer_step_size", default: 0.01))
        multiplier = try hyperparameters.positive("multiplier", default: 10)
        growth = try hyperparameters.nonNegative("multiplier_growth", default: 1)
        maximumMultiplier = max(multiplier, try hyperparameters.positive("max_multiplier", default: 1000))
        innerSteps = try hyperparameters.integer("inner_steps", default: 10, in: 1...10_000)
        batches = try BilevelBatchSizes(hyperparameters, info: info)
        lower = ValueFunctionPenalty(inner: inner, outer: info.layout)
    }

    public mutating func step(_ x: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        let bilevel = try Self.bilevelOracle(oracle)
        let lambda = Float(multiplier)
        for _ in 0..<innerSteps {
            bilevel.drawInnerBatch(size: batches.inner)
            bilevel.drawOuterBatch(size: batches.outer)
            lower.evaluate(at: x, oracle: bilevel)
            lower.moveInner(stepSize: innerStep, multiplier: lambda)
        }
        bilevel.drawInnerBatch(size: batches.inner)
        bilevel.drawOuterBatch(size: batches.outer)
        lower.evaluate(at: x, oracle: bilevel)
        lower.moveOuter(&x, stepSize: outerStep, multiplier: lambda)
        multiplier = min(maximumMultiplier, multiplier + growth)
    }

    public var stateBytes: Int { lower.stateBytes }
}
