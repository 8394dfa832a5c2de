import Core
import NN

/// LAMB (layer-wise adaptive moments) with linear warmup and cosine decay.
///
/// You et al., "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes"
/// (ICLR 2020), as optax's `lamb`: Adam's bias-corrected direction plus decoupled decay,
/// `u = m̂/(√v̂ + ε) + λθ`, then per tensor `θ ← θ − η_t·(‖θ‖/‖u‖)·u` (ratio 1 when either
/// norm is zero). The paper clips ‖θ‖ through a scaling function φ; optax uses φ = identity,
/// and so does this file. With `exclude_vectors = 1` (the default for training, as in
/// BERT's recipe) biases and norm parameters get neither decay nor a trust ratio; optax
/// adapts every tensor, so conformance sets it to 0.
///
/// The paper's Algorithm 2 bias-corrects m and v, and so does this file; torch-optimizer's
/// `Lamb` (a community port, not the authors' code) does not, so `reference/lamb_wd.json`
/// (and, at the edge of the tolerance, `reference/lamb.json`) are declared deviations.
public struct LAMB: Submission, OptaxConformant {
    public static let name = "lamb"
    public static let optaxReference = "optax.lamb"

    public static let searchSpace = SearchSpace.adamFamily(adding: addedDimensions)
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(learningRate: 5e-3, adding: addedDefaults)
    /// What LAMB adds to the Adam family's space and defaults (shared with `LAMBAdaptiveBatch`).
    static let addedDimensions: [String: SearchSpace.Dimension] = ["weight_decay": .range(min: 1e-4, max: 0.1, scaling: .log)]
    static let addedDefaults: [String: Double] = ["weight_decay": 0.01, "epsilon": 1e-6, "exclude_vectors": 1]

    let schedule: WarmupCosineSchedule
    let epsilon: Float, weightDecay: Float
    let excludeVectors: Bool
    var moments: MomentBuffers
    /// Holds the gradient, then the unscaled update `u`.
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        moments = try MomentBuffers(hyperparameters: hyperparameters, count: info.layout.count)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-6))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        excludeVectors = try hyperparameters.flag("exclude_vectors", default: true)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (decay, c, eps) = (moments.decay, moments.decay.corrections(atStep: context.step), epsilon)
        for view in parameters.views {
            let adapt = !excludeVectors || view.kind.isMatrixLike
            let lambda = adapt ? weightDecay : 0
            parameters.values.withUnsafeMutableBufferPointer { theta in
                moments.first.withUnsafeMutableBufferPointer { m in
                    moments.second.withUnsafeMutableBufferPointer { v in
                        gradient.values.withUnsafeMutableBufferPointer { u in
                            // u = m̂/(√v̂ + ε) + λθ in the gradient's place, with ‖θ‖² and ‖u‖².
                            var parameterNorm = 0.0, updateNorm = 0.0
                            for i in view.range {
                                let gi = u[i]
                                let (mi, vi) = (decay.first(m[i], gi), decay.second(v[i], gi))
                                (m[i], v[i]) = (mi, vi)
                                let ui = c.direction(m: mi, v: vi, epsilon: eps) + lambda * theta[i]
                                u[i] = ui
                                parameterNorm += Double(theta[i]) * Double(theta[i])
                                updateNorm += Double(ui) * Double(ui)
                            }
                            let ratio = adapt && parameterNorm > 0 && updateNorm > 0
                                ? Float((parameterNorm / updateNorm).squareRoot()) : 1
                            let scale = rate * ratio
                            for i in view.range { theta[i] -= scale * u[i] }
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { moments.stateBytes }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("eps_root", is: .number(0), optaxDefault: .number(0))
        try a.require("mask", is: .null, optaxDefault: .null)
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_beta1": 1 - (try a.number("b1", default: 0.9)),
            "beta2": try a.number("b2", default: 0.999),
            "epsilon": try a.number("eps", default: 1e-6),
            "weight_decay": try a.number("weight_decay", default: 0),
            "exclude_vectors": 0,
        ])
    }
}

extension LAMB: ConformanceDeviating {
    /// Against torch-optimizer 0.3.0's `Lamb`, which is not the authors' code.
    public static let conformanceDeviations = [
        ConformanceDeviation(
            caseName: "lamb", reference: "torch_optimizer.Lamb",
            reason: "torch-optimizer's Lamb leaves m and v uncorrected (debias = False); the paper's Algorithm 2 "
                + "(and optax) bias-correct them, as this submission does. Without decay the trust ratio cancels "
                + "the correction's per-tensor factor up to ε, so the case is within tolerance on this machine.",
            measuredError: 9.91e-6),
        ConformanceDeviation(
            caseName: "lamb_wd", reference: "torch_optimizer.Lamb",
            reason: "torch-optimizer's Lamb leaves m and v uncorrected (debias = False); the paper's Algorithm 2 "
                + "(and optax) bias-correct them, as this submission does. With decay λθ added to the direction "
                + "the trust ratio no longer cancels the correction factor.",
            measuredError: 1.78e-3),
    ]
}
