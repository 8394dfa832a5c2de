import Core
import Foundation
import NN
import Tensor

/// AdaHessian: Adam with the squared gradient replaced by a Hutchinson estimate of the
/// Hessian diagonal; linear warmup and cosine decay.
///
/// Yao et al., "ADAHESSIAN: An Adaptive Second Order Optimizer for Machine Learning"
/// (AAAI 2021), as the authors' reference implementation. Every `update_each` steps
/// (default 1) the diagonal is re-estimated: `D = z ⊙ Hz` (Rademacher z, one HVP per
/// `hutchinson_samples`, averaged) on the step's batch, then spatially averaged: on a
/// convolution kernel (out, in, kh, kw) every entry takes the mean of `|D|` over its
/// kh × kw window; elsewhere `|D|`. Every step:
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)D²`,
/// `θ ← θ − η_t·(m/(1−β₁ᵗ) / ((√v/√(1−β₂ᵗ))^k + ε) + λθ)`,
/// with the Hessian power k (default 1), ε = 1e-4 and the decay λ scaled by η_t (as the
/// reference does). The reference's own lr = 0.15 is for its ResNet schedules with step
/// decay; here the house warmup-cosine schedule is used. Oracle cost: one gradient per
/// step plus `hutchinson_samples` HVPs on steps that refresh D.
public struct AdaHessian: Submission {
    public static let name = "adahessian"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-3, max: 1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-6, max: 1e-2, scaling: .log),
        "hessian_power": .feasiblePoints([1, 0.5]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 0.15, "one_minus_beta1": 0.1, "beta2": 0.999, "epsilon": 1e-4, "weight_decay": 0,
        "hessian_power": 1, "update_each": 1, "hutchinson_samples": 1, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, hessianPower: Float
    let updateEach: Int, samples: Int
    /// (offset, window) of every convolution kernel's kh × kw windows.
    let spatialWindows: [(range: Range<Int>, window: Int)]
    var firstMoment: [Float]
    var secondMoment: [Float]
    /// The latest spatially averaged diagonal D (kept between refreshes).
    var diagonal: [Float]
    var gradient: ParameterSet
    var hutchinson: HutchinsonDiagonal

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.positive("epsilon", default: 1e-4))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        let power = hyperparameters.value("hessian_power", default: 1)
        guard power > 0, power <= 1 else {
            throw HyperparameterError.invalid(name: "hessian_power", value: power, expected: "a number in (0, 1]")
        }
        hessianPower = Float(power)
        updateEach = try Self.count("update_each", hyperparameters, default: 1)
        samples = try Self.count("hutchinson_samples", hyperparameters, default: 1)
        spatialWindows = info.layout.views.compactMap { view in
            view.kind == .convWeight && view.shape.count == 4 ? (view.range, view.shape[2] * view.shape[3]) : nil
        }
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        secondMoment = firstMoment
        diagonal = firstMoment
        gradient = ParameterSet(layout: info.layout)
        hutchinson = HutchinsonDiagonal(layout: info.layout)
    }

    static func count(_ name: String, _ h: Hyperparameters, default fallback: Double) throws -> Int {
        let x = h.value(name, default: fallback)
        guard x >= 1, x <= 1_000_000, x == x.rounded() else {
            throw HyperparameterError.invalid(name: name, value: x, expected: "a positive integer")
        }
        return Int(x)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        if context.step % updateEach == 0 {
            var generator = oracle.probeGenerator(Self.name, step: context.step)
            hutchinson.estimate(at: parameters, oracle: oracle, generator: &generator, samples: samples, into: &diagonal)
            averageSpatially()
        }
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let correction1 = Float(1 - pow(Double(beta1), t))
        let rootCorrection2 = Float(1 - pow(Double(beta2), t)).squareRoot()
        let (b1, b2, eps, decay, k) = (beta1, beta2, epsilon, weightDecay, hessianPower)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        diagonal.withUnsafeBufferPointer { d in
                            for i in 0..<theta.count {
                                let mi = b1 * m[i] + (1 - b1) * g[i]
                                let vi = b2 * v[i] + (1 - b2) * d[i] * d[i]
                                m[i] = mi
                                v[i] = vi
                                let root = vi.squareRoot() / rootCorrection2
                                let denominator = (k == 1 ? root : pow(root, k)) + eps
                                theta[i] -= rate * ((mi / correction1) / denominator + decay * theta[i])
                            }
                        }
                    }
                }
            }
        }
    }

    /// `|D|` everywhere, then the mean over each convolution kernel's kh × kw window.
    mutating func averageSpatially() {
        diagonal.withUnsafeMutableBufferPointer { d in
            for i in 0..<d.count { d[i] = abs(d[i]) }
            for (range, window) in spatialWindows where window > 1 {
                var start = range.lowerBound
                while start < range.upperBound {
                    var sum: Float = 0
                    for i in start..<(start + window) { sum += d[i] }
                    let mean = sum / Float(window)
                    for i in start..<(start + window) { d[i] = mean }
                    start += window
                }
            }
        }
    }

    /// m and v, plus D when it is reused between refreshes (`update_each` > 1).
    public var stateBytes: Int {
        (firstMoment.count + secondMoment.count + (updateEach > 1 ? diagonal.count : 0)) * MemoryLayout<Float>.size
    }
}
