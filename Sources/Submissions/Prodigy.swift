import Core
import Foundation
import NN

/// Prodigy: Adam with a D-Adaptation-style step size estimated from the distance travelled.
///
/// Mishchenko & Defazio, "Prodigy: An Expeditiously Adaptive Parameter-Free Learner"
/// (ICML 2024), Adam version, as optax's `contrib.prodigy` (no safeguard warmup).
/// With D the estimate, `γ_t` the scheduled multiplier, `d_lr = D·γ_t·√(1−β₂ᵗ)/(1−β₁ᵗ)`,
/// `β₃ = √β₂`, D₀ = `initial_d`: `m ← β₁m + (1−β₁)Dg`, `v ← β₂v + (1−β₂)D²g²`,
/// `s ← β₃s + (d_lr/D₀)·D·g`, `r ← β₃r + (D/D₀)·d_lr·⟨g, θ₀ − θ⟩`,
/// `D' = max(D, r/‖s‖₁)`, `θ ← θ − d_lr·(m/(√v + D'ε) + λθ)`.
/// The paper's Algorithm 3 is the same (with β₃ = √β₂ as its default).
public struct Prodigy: Submission, OptaxConformant {
    public static let name = "prodigy"
    public static let optaxReference = "optax.contrib.prodigy"

    /// D-Adaptation's space and defaults: the learning rate multiplies the estimated D.
    public static let searchSpace = DAdaptAdamW.searchSpace
    public static let defaultHyperparameters = DAdaptAdamW.defaultHyperparameters

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, beta3: Float, epsilon: Float, weightDecay: Float, initialDistance: Float
    var firstMoment: [Float]
    var secondMoment: [Float]
    var gradientSum: [Float]
    var initialParameters: [Float]
    var initialised = false
    /// The current step-size estimate D.
    public private(set) var distance: Float
    var numerator: Float = 0
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        beta3 = Float(try hyperparameters.decayRate("beta3", default: Double(beta2).squareRoot()))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        initialDistance = Float(try hyperparameters.positive("initial_d", default: 1e-6))
        distance = initialDistance
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        secondMoment = firstMoment
        gradientSum = firstMoment
        initialParameters = firstMoment
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        if !initialised {
            initialParameters = parameters.values
            initialised = true
        }
        oracle.gradient(at: parameters, into: &gradient)
        let t = Double(context.step + 1)
        let multiplier = schedule.learningRate(at: context.step)
        let correction = (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t))
        let d = distance
        let dlr = Float(Double(d) * multiplier * correction)
        let sumScale = dlr / initialDistance
        let (b1, b2, b3) = (beta1, beta2, beta3)
        var inner = 0.0, sumNorm = 0.0
        parameters.values.withUnsafeBufferPointer { theta in
            initialParameters.withUnsafeBufferPointer { theta0 in
                firstMoment.withUnsafeMutableBufferPointer { m in
                    secondMoment.withUnsafeMutableBufferPointer { v in
                        gradientSum.withUnsafeMutableBufferPointer { s in
                            gradient.values.withUnsafeBufferPointer { g in
                                for i in 0..<theta.count {
                                    let gi = g[i]
                                    inner += Double(gi) * Double(theta0[i] - theta[i])
                                    let dg = d * gi
                                    m[i] = b1 * m[i] + (1 - b1) * dg
                                    v[i] = b2 * v[i] + (1 - b2) * dg * dg
                                    let si = b3 * s[i] + sumScale * dg
                                    s[i] = si
                                    sumNorm += Double(abs(si))
                                }
                            }
                        }
                    }
                }
            }
        }
        numerator = b3 * numerator + (d / initialDistance) * dlr * Float(inner)
        if sumNorm > 0 { distance = max(d, numerator / Float(sumNorm)) }
        let epsilonScaled = distance * epsilon
        let decay = weightDecay
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeBufferPointer { m in
                secondMoment.withUnsafeBufferPointer { v in
                    for i in 0..<theta.count {
                        theta[i] += -decay * dlr * theta[i] - dlr * m[i] / (v[i].squareRoot() + epsilonScaled)
                    }
                }
            }
        }
    }

    public var stateBytes: Int { 4 * firstMoment.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        let (b1, b2) = try a.pair("betas", default: (0.9, 0.999))
        try a.require("estim_lr_coef", is: .number(1), optaxDefault: .number(1))
        try a.require("safeguard_warmup", is: .bool(false), optaxDefault: .bool(false))
        var values: [String: Double] = [
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - b1, "beta2": b2,
            "epsilon": try a.number("eps", default: 1e-8),
            "initial_d": try a.number("estim_lr0", default: 1e-6),
            "weight_decay": try a.number("weight_decay", default: 0),
        ]
        if let b3 = try a.optionalNumber("beta3") { values["beta3"] = b3 }
        return Hyperparameters(values)
    }
}
