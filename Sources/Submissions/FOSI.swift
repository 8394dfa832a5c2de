import Core
import Foundation
import NN
import Tensor

/// FOSI: a Newton step on the top curvature subspace, a first-order base optimizer on the
/// rest; linear warmup and cosine decay for the base optimizer.
///
/// Sivan, Gabel & Schuster, "FOSI: Hybrid First and Second Order Optimization" (ICLR
/// 2024), as the authors' reference `scale_by_fosi`. Every `refresh_period` T steps
/// (100; the first at step T − 1, the reference's warmup w = T) Lanczos (`Lanczos`, m =
/// `lanczos_iterations` = 20 HVPs on the step's batch at θ) estimates the k = `rank` (5)
/// largest eigenpairs (λ_j, v_j) of the Hessian, V = [v_1 … v_k]. Each step, with
/// `g₁ = VVᵀg`, `g₂ = g − g₁`:
/// `u ← (1−β)g₁ + βu` (Adam base) or `u ← g₁ + βu` (heavy-ball base), β = 0.9;
/// `n = V·diag(1/|λ_j|)·Vᵀu` (the Newton direction on the subspace);
/// `δ` = the base optimizer's (negated) update for g₂, then `δ ← δ − VVᵀδ`;
/// `θ ← θ + s·δ − α·n`, α = 0.1, `s = clip(λ_1/λ_k, 1, c)` with c = 1 for Adam (so
/// s = 1) and 3 for heavy ball. Base optimizers (`base_optimizer`): 0, Adam (optax's,
/// bias-corrected, ε outside the root) at `learning_rate`; 1, heavy ball `b ← βb + g₂`,
/// `δ = −η_t·b`. Before the first estimate V is empty and the base optimizer sees all of
/// g. A Ritz value of 0 gets no Newton step. Oracle cost: one gradient per step, plus m
/// HVPs on refresh steps.
public struct FOSI: Submission {
    public static let name = "fosi"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "alpha": .range(min: 0.01, max: 1, scaling: .log),
        "base_optimizer": .feasiblePoints([0]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "alpha": 0.1, "base_optimizer": 0,
        "momentum": 0.9, "rank": 5, "lanczos_iterations": 20, "refresh_period": 100, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let useAdam: Bool
    let beta1: Float, beta2: Float, epsilon: Float, momentum: Float, alpha: Float, clip: Float
    let rank: Int, iterations: Int, refreshPeriod: Int
    /// Base-optimizer state: Adam's m and v, or the heavy-ball buffer (in `firstMoment`).
    var firstMoment: [Float], secondMoment: [Float]
    /// The Newton momentum u.
    var velocity: [Float]
    /// Leading eigenvectors and their inverse |eigenvalues|.
    var eigenvectors: [[Float]] = []
    var inverseCurvatures: [Float] = []
    var scaling: Float = 1
    var gradient: ParameterSet
    /// Scratch: g₂, then δ.
    var residual: [Float]
    /// Scratch: the Newton direction.
    var newton: [Float]

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        let base = hyperparameters.value("base_optimizer", default: 0)
        guard base == 0 || base == 1 else {
            throw HyperparameterError.invalid(name: "base_optimizer", value: base, expected: "0 (Adam) or 1 (heavy ball)")
        }
        useAdam = base == 0
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1", default: 0.1))
        beta2 = Float(try hyperparameters.decayRate("beta2", default: 0.999))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        momentum = Float(try hyperparameters.decayRate("momentum", default: 0.9))
        alpha = Float(try hyperparameters.positive("alpha", default: 0.1))
        clip = Float(try hyperparameters.positive("learning_rate_clip", default: useAdam ? 1 : 3))
        rank = try AdaHessian.count("rank", hyperparameters, default: 5)
        iterations = try AdaHessian.count("lanczos_iterations", hyperparameters, default: 20)
        guard rank <= iterations else {
            throw HyperparameterError.invalid(name: "rank", value: Double(rank), expected: "at most lanczos_iterations (\(iterations))")
        }
        refreshPeriod = try AdaHessian.count("refresh_period", hyperparameters, default: 100)
        let d = info.layout.count
        firstMoment = [Float](repeating: 0, count: d)
        secondMoment = useAdam ? firstMoment : []
        velocity = firstMoment
        residual = firstMoment
        newton = firstMoment
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        if (context.step + 1) % refreshPeriod == 0 { estimateSpectrum(parameters, oracle: oracle, step: context.step) }
        // g₂ = g − VVᵀg; u ← momentum(VVᵀg, u).
        residual.withUnsafeMutableBufferPointer { r in
            gradient.values.withUnsafeBufferPointer { g in
                for i in 0..<r.count { r[i] = g[i] }
            }
        }
        let projections = eigenvectors.map { Float(Lanczos.dot($0, gradient.values)) }
        let (b, adamMomentum) = (momentum, useAdam)
        for i in velocity.indices { velocity[i] *= b }
        for (v, c) in zip(eigenvectors, projections) {
            let toVelocity = adamMomentum ? (1 - b) * c : c
            for i in residual.indices {
                residual[i] -= c * v[i]
                velocity[i] += toVelocity * v[i]
            }
        }
        for i in newton.indices { newton[i] = 0 }
        for (v, inverse) in zip(eigenvectors, inverseCurvatures) {
            let c = inverse * Float(Lanczos.dot(v, velocity))
            for i in newton.indices { newton[i] += c * v[i] }
        }
        baseUpdate(step: context.step)
        for v in eigenvectors {
            let c = Float(Lanczos.dot(v, residual))
            for i in residual.indices { residual[i] -= c * v[i] }
        }
        let (s, a) = (scaling, alpha)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            residual.withUnsafeBufferPointer { delta in
                newton.withUnsafeBufferPointer { n in
                    for i in 0..<theta.count { theta[i] += s * delta[i] - a * n[i] }
                }
            }
        }
    }

    /// Turns `residual` (g₂) into the base optimizer's negated update δ.
    private mutating func baseUpdate(step: Int) {
        let rate = Float(schedule.learningRate(at: step))
        if useAdam {
            let t = Double(step + 1)
            let correction1 = Float(1 - pow(Double(beta1), t))
            let correction2 = Float(1 - pow(Double(beta2), t))
            let (b1, b2, eps) = (beta1, beta2, epsilon)
            residual.withUnsafeMutableBufferPointer { g in
                firstMoment.withUnsafeMutableBufferPointer { m in
                    secondMoment.withUnsafeMutableBufferPointer { v in
                        for i in 0..<g.count {
                            let mi = b1 * m[i] + (1 - b1) * g[i]
                            let vi = b2 * v[i] + (1 - b2) * g[i] * g[i]
                            m[i] = mi
                            v[i] = vi
                            g[i] = -rate * (mi / correction1) / ((vi / correction2).squareRoot() + eps)
                        }
                    }
                }
            }
        } else {
            let b = momentum
            residual.withUnsafeMutableBufferPointer { g in
                firstMoment.withUnsafeMutableBufferPointer { buffer in
                    for i in 0..<g.count {
                        let bi = b * buffer[i] + g[i]
                        buffer[i] = bi
                        g[i] = -rate * bi
                    }
                }
            }
        }
    }

    /// Lanczos on the current batch at `parameters`: V, 1/|λ| and the base scaling s.
    private mutating func estimateSpectrum(_ parameters: ParameterSet, oracle: Oracle, step: Int) {
        var generator = oracle.probeGenerator(Self.name, step: step)
        let count = min(rank, parameters.values.count)
        let (values, vectors) = Lanczos.largestEigenpairs(
            like: parameters, iterations: min(iterations, parameters.values.count), count: count,
            generator: &generator
        ) { vector, product in
            oracle.hessianVectorProduct(at: parameters, vector: vector, into: &product)
        }
        eigenvectors = vectors
        inverseCurvatures = values.map { $0 != 0 && $0.isFinite ? 1 / abs($0) : 0 }
        if let largest = values.first, let smallest = values.last, smallest != 0, largest.isFinite {
            scaling = min(clip, max(1, abs(largest / smallest)))
        } else {
            scaling = 1
        }
    }

    /// Base state, the Newton momentum, V and the k inverse curvatures.
    public var stateBytes: Int {
        let floats = firstMoment.count + secondMoment.count + velocity.count
            + rank * firstMoment.count + rank + 1
        return floats * MemoryLayout<Float>.size
    }
}
