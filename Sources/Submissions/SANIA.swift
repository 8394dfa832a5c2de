import Core
import Foundation
import NN
import Tensor

/// SANIA: a tuning-free, scale-invariant Polyak step in a diagonal preconditioner's metric.
///
/// Abdukhakimov, Xiang, Kamzolov & Takáč, "SANIA: Polyak-type Optimization Framework
/// Leads to Scale Invariant Stochastic Algorithms" (2023). The step moves along
/// `d = −B⁻¹g` by the smallest `t` that zeroes the batch's second-order model
/// `f_B(θ) − f* + ⟨g, θ′ − θ⟩ + ½‖θ′ − θ‖²_B`: with `m = gᵀB⁻¹g` and `c = (f_B(θ) − f*)/m`,
/// `t = 1 − √(1 − 2c)` when `2c ≤ 1`, else `t = 1` (the model has no root; its minimiser),
/// and `θ ← θ − t·B⁻¹g`, f* = `lower_bound` (0). This is the rule of the authors' code; the
/// linearised projection `t = c` is the earlier PSPS method, not this one.
/// Preconditioners (`preconditioner`): 0, AdaGrad-SQR, `b ← b + g²` (the sum without its
/// square root, which makes the method invariant to rescaling the loss or a coordinate);
/// 1, Adam-SQR, `b ← β₂b + (1−β₂)g²` (β₂ = 0.999; any constant factor cancels, so no
/// bias correction); both use `B = max(b, ε)` with ε = `epsilon` (0.1, the authors'
/// deep-learning default: it bounds `B⁻¹` where gradients have been tiny; 0 restores exact
/// scale invariance). 2, Hutchinson, `D ← β₂D + (1−β₂)z⊙Hz`, `B = max(|D|, α)` (α = 1e-6 ×
/// max|D|, as in OASIS-style truncation). No learning rate; a loss below f* or a zero
/// gradient leaves θ unchanged. Oracle cost: one gradient per step, plus one HVP for the
/// Hutchinson preconditioner.
public struct SANIA: Submission {
    public static let name = "sania"

    public static let searchSpace = SearchSpace([
        "preconditioner": .feasiblePoints([0, 1, 2]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "preconditioner": 0, "beta2": 0.999, "lower_bound": 0, "epsilon": 0.1,
    ])

    enum Preconditioner: Int {
        case adagradSquare = 0, adamSquare = 1, hutchinson = 2
    }

    let preconditioner: Preconditioner
    let beta2: Float, epsilon: Float, lowerBound: Double
    /// b (or D for Hutchinson).
    var scaling: [Float]
    var gradient: ParameterSet
    /// ẑ ⊙ Hz scratch (Hutchinson only).
    var estimate: [Float]
    var hutchinson: HutchinsonDiagonal?

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        let code = hyperparameters.value("preconditioner", default: 0)
        guard let kind = Preconditioner(rawValue: Int(code)), Double(kind.rawValue) == code else {
            throw HyperparameterError.invalid(
                name: "preconditioner", value: code, expected: "0 (AdaGrad-SQR), 1 (Adam-SQR) or 2 (Hutchinson)")
        }
        preconditioner = kind
        beta2 = Float(try hyperparameters.decayRate("beta2", default: 0.999))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 0.1))
        lowerBound = hyperparameters.value("lower_bound", default: 0)
        guard lowerBound.isFinite else {
            throw HyperparameterError.invalid(name: "lower_bound", value: lowerBound, expected: "a finite number")
        }
        scaling = [Float](repeating: 0, count: info.layout.count)
        gradient = ParameterSet(layout: info.layout)
        estimate = kind == .hutchinson ? scaling : []
        hutchinson = kind == .hutchinson ? HutchinsonDiagonal(layout: info.layout) : nil
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        let loss = Double(oracle.gradient(at: parameters, into: &gradient))
        updatePreconditioner(parameters, oracle: oracle, step: context.step)
        let floor = preconditionerFloor()
        // m = gᵀB⁻¹g, then the root of the quadratic model along −B⁻¹g.
        let metric = gradient.values.withUnsafeBufferPointer { g in
            scaling.withUnsafeBufferPointer { b in
                var sum = 0.0
                for i in 0..<g.count {
                    let bi = max(abs(b[i]), floor)
                    if bi > 0 { sum += Double(g[i]) * Double(g[i]) / Double(bi) }
                }
                return sum
            }
        }
        let excess = loss - lowerBound
        guard metric > 0, excess > 0, excess.isFinite else { return }
        let ratio = excess / metric
        let stepSize = Float(2 * ratio <= 1 ? 1 - (1 - 2 * ratio).squareRoot() : 1)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            gradient.values.withUnsafeBufferPointer { g in
                scaling.withUnsafeBufferPointer { b in
                    for i in 0..<theta.count {
                        let bi = max(abs(b[i]), floor)
                        if bi > 0 { theta[i] -= stepSize * g[i] / bi }
                    }
                }
            }
        }
    }

    /// The lower bound on `B`'s diagonal: ε for the squared-gradient preconditioners,
    /// 1e-6 × max|D| for Hutchinson's.
    private func preconditionerFloor() -> Float {
        guard preconditioner == .hutchinson else { return epsilon }
        var largest: Float = 0
        for value in scaling { largest = max(largest, abs(value)) }
        return 1e-6 * largest
    }

    private mutating func updatePreconditioner(_ parameters: ParameterSet, oracle: Oracle, step: Int) {
        let b2 = beta2
        switch preconditioner {
        case .adagradSquare:
            scaling.withUnsafeMutableBufferPointer { b in
                gradient.values.withUnsafeBufferPointer { g in
                    for i in 0..<b.count { b[i] += g[i] * g[i] }
                }
            }
        case .adamSquare:
            scaling.withUnsafeMutableBufferPointer { b in
                gradient.values.withUnsafeBufferPointer { g in
                    for i in 0..<b.count { b[i] = b2 * b[i] + (1 - b2) * g[i] * g[i] }
                }
            }
        case .hutchinson:
            var generator = oracle.probeGenerator(Self.name, step: step)
            hutchinson!.estimate(at: parameters, oracle: oracle, generator: &generator, samples: 1, into: &estimate)
            scaling.withUnsafeMutableBufferPointer { b in
                estimate.withUnsafeBufferPointer { e in
                    for i in 0..<b.count { b[i] = b2 * b[i] + (1 - b2) * e[i] }
                }
            }
        }
    }

    public var stateBytes: Int { scaling.count * MemoryLayout<Float>.size }
}
