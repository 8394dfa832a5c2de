import Core
import NN

/// The fixed hypergradient procedure through which every generic submission meets a
/// bilevel workload (identical for all submissions; its settings live in the spec).
///
/// At outer point `x`, with warm-started inner variable `z` and adjoint `q` carried from
/// the previous call:
/// 1. `inner_steps` damped Newton–CG steps on the full inner objective `g(·, x)`: each
///    solves `∇²_zz g · p = −∇_z g` by conjugate gradients (at most `inner_cg_iterations`
///    exact Hessian-vector products, relative residual 1e-6), then backtracks
///    `z ← z + α p`, `α = 1, ½, ¼, …` (at most 30 halvings) until Armijo's condition
///    `g(z + αp) ≤ g(z) + 1e-4 α ∇gᵀp` holds (or, for the full step only, `g` changes by
///    less than 1e-6 relative — Float resolution — and `‖∇_z g‖` decreases); no step is
///    taken once `‖∇_z g‖ ≤ 1e-6`;
/// 2. the adjoint system `∇²_zz g · q = ∇_z f_B` (`f_B`: outer loss on the batch's outer
///    examples) by conjugate gradients from the previous `q`, at most
///    `adjoint_cg_iterations` products, relative residual 1e-6;
/// 3. the hypergradient `∇_x f_B − ∇²_xz g · q` (full inner data), returned with `f_B`.
///
/// Evaluation solves the inner problem accurately instead: Newton–CG from the current
/// training warm start (not modified) until `‖∇_z g‖ ≤ 1e-6` or 50 steps, with 100 CG
/// products per step.
public struct HypergradientProcedure: Sendable, Equatable {
    public var innerSteps: Int
    public var innerCGIterations: Int
    public var adjointCGIterations: Int
    public static let cgTolerance = 1e-6
    public static let stationarityTolerance = 1e-6
    public static let evaluationTolerance = 1e-6
    public static let evaluationMaxSteps = 50
    public static let evaluationCGIterations = 100

    public init(innerSteps: Int, innerCGIterations: Int, adjointCGIterations: Int) {
        self.innerSteps = innerSteps
        self.innerCGIterations = innerCGIterations
        self.adjointCGIterations = adjointCGIterations
    }

    /// Reads `inner_steps`, `inner_cg_iterations` and `adjoint_cg_iterations` from a spec's settings.
    public init(_ reader: inout JSONObjectReader) throws {
        innerSteps = try reader.integer("inner_steps", in: 1...1000)
        innerCGIterations = try reader.integer("inner_cg_iterations", in: 1...10_000)
        adjointCGIterations = try reader.integer("adjoint_cg_iterations", in: 1...10_000)
    }
}

/// Newton–CG on the inner problem of a `BilevelProblem`.
enum InnerSolver {
    /// Runs at most `steps` damped Newton–CG steps from `z`; stops early when
    /// `‖∇_z g‖ ≤ gradientTolerance`. Returns the new `z` and its gradient norm.
    static func newton<P: BilevelProblem>(
        _ problem: P, x: ParameterSet, from start: ParameterSet, steps: Int, cgIterations: Int, gradientTolerance: Double
    ) -> (z: ParameterSet, gradientNorm: Double) {
        var z = start
        var dz = ParameterSet(layout: problem.innerLayout)
        var dx = ParameterSet(layout: problem.outerLayout)
        var value = problem.innerGradients(z, x, examples: nil, dz: &dz, dx: &dx)
        var gradientNorm = VectorMath.norm(dz.values)
        for _ in 0..<steps {
            if gradientNorm <= gradientTolerance { break }
            let current = z
            let negativeGradient = dz.values.map { -$0 }
            var direction = ConjugateGradient.solve(
                { v in hessianProduct(problem, current, x, v) }, rightHandSide: negativeGradient,
                start: [Float](repeating: 0, count: negativeGradient.count), maxIterations: cgIterations,
                tolerance: HypergradientProcedure.cgTolerance
            ).solution
            var slope = VectorMath.dot(dz.values, direction)
            if !(slope < 0) {
                direction = negativeGradient
                slope = -VectorMath.dot(dz.values, dz.values)
            }
            var alpha: Float = 1
            var trial = current
            var accepted = false
            var trialDz = dz, trialDx = dx
            for _ in 0...30 {
                for i in trial.values.indices { trial.values[i] = current.values[i] + alpha * direction[i] }
                let trialValue = problem.innerValue(trial, x, examples: nil)
                if Double(trialValue) <= Double(value) + 1e-4 * Double(alpha) * slope {
                    accepted = true
                    break
                }
                // Near the solution the decrease falls below Float resolution of g: accept a
                // full step that keeps g within rounding and shrinks the gradient.
                if alpha == 1, abs(Double(trialValue) - Double(value)) <= 1e-6 * max(1, abs(Double(value))) {
                    _ = problem.innerGradients(trial, x, examples: nil, dz: &trialDz, dx: &trialDx)
                    if VectorMath.norm(trialDz.values) < gradientNorm {
                        accepted = true
                        break
                    }
                }
                alpha /= 2
            }
            guard accepted else { break }
            z = trial
            value = problem.innerGradients(z, x, examples: nil, dz: &dz, dx: &dx)
            gradientNorm = VectorMath.norm(dz.values)
        }
        return (z, gradientNorm)
    }

    /// `∇²_zz g(z, x) · v` on all inner examples, as a flat vector.
    static func hessianProduct<P: BilevelProblem>(_ problem: P, _ z: ParameterSet, _ x: ParameterSet, _ v: [Float]) -> [Float] {
        var result = ParameterSet(layout: problem.innerLayout)
        problem.innerHessianVectorProduct(z, x, ParameterSet(layout: problem.innerLayout, values: v), examples: nil, into: &result)
        return result.values
    }
}
