import Core
import Foundation
import NN
import Tensor

/// Muon: momentum orthogonalised by Newton–Schulz iterations on matrix parameters, Adam
/// on the others; linear warmup and cosine decay.
///
/// Jordan et al., "Muon: An optimizer for hidden layers in neural networks" (2024), as the
/// authors' code runs it (Keller Jordan's `muon` package, `SingleDeviceMuonWithAuxAdam`;
/// the post has no other statement of the rule, and its experiments ran that code). On
/// every orthogonalised tensor W, seen as a rows × cols matrix: `m ← βm + (1−β)g`, the
/// Nesterov blend `u = (1−β)g + βm` (no bias correction), `X = u/(‖u‖_F + ε)`, five times
/// `X ← aX + (bA + cA²)X` with `A = XXᵀ` (or the transposed form when rows > cols) and
/// (a, b, c) = (3.4445, −4.7750, 2.0315), then
/// `W ← W − η_t·(√max(1, fan_out/fan_in)·X + λW)`. Every other tensor takes AdamW with
/// `adam_beta1`, `adam_beta2`, the same ε, at `adam_learning_rate` (default:
/// `learning_rate`). The authors normalise with ε = 1e-7 and run Newton–Schulz in bfloat16;
/// here ε is the `epsilon` hyperparameter (1e-8) and the iteration runs in float32.
///
/// optax's `contrib.muon` differs in two places, which two flags express so the optax case
/// still checks the rest: `momentum_bias_correction = 1` uses its bias-corrected Nesterov
/// momentum `m̂ = β·m/(1−βᵗ⁺¹) + (1−β)·g/(1−βᵗ)`, and `adam_nesterov = 1` its NAdam for
/// the other tensors (`NAdamW`'s rule). Both default to 0, the authors' rule.
///
/// Which tensors, and which axis is the input: optax orthogonalises every rank-2 tensor
/// and reads axis 0 as fan-in (JAX's (in, out) kernels). This project's `Linear` stores
/// (out, in), as PyTorch does, so by default fan-in is the column count
/// (`input_axis_first = 0`, Jordan's √max(1, rows/cols)), convolution kernels are
/// orthogonalised as out × in·kh·kw matrices (`orthogonalise_convolutions = 1`, as in
/// Jordan's CIFAR-10 runs) and embeddings are left to Adam (`orthogonalise_embeddings = 0`,
/// Jordan's advice). Conformance sets optax's choices (1, 0, 1).
///
/// Conformance: Newton–Schulz runs in float32 through OpenBLAS, whose summation order
/// differs from XLA's and torch's; on the recorded cases (optax/muon.json,
/// reference/muon.json) the trajectories still agree within the default tolerance (1e-5).
public struct Muon: Submission, OptaxConformant {
    public static let name = "muon"
    public static let optaxReference = "optax.contrib.muon"

    static let coefficients: (a: Float, b: Float, c: Float) = (3.4445, -4.7750, 2.0315)

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 3e-3, max: 0.1, scaling: .log),
        "adam_learning_rate": .range(min: 1e-4, max: 1e-2, scaling: .log),
        "one_minus_momentum": .feasiblePoints([0.05]),
        "weight_decay": .range(min: 1e-5, max: 0.1, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 0.02, "adam_learning_rate": 3e-3, "one_minus_momentum": 0.05, "weight_decay": 0,
        "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let adamSchedule: WarmupCosineSchedule
    let momentumDecay: Float, adamBeta1: Float, adamBeta2: Float, epsilon: Float
    let weightDecay: Float, adamWeightDecay: Float
    let iterations: Int
    let inputAxisFirst: Bool
    /// optax's bias-corrected Nesterov momentum (1) or the authors' plain blend (0).
    let momentumBiasCorrection: Bool
    /// NAdam (optax, 1) or Adam (the authors, 0) for the tensors not orthogonalised.
    let adamNesterov: Bool
    /// Views orthogonalised; the others take Adam (or NAdam).
    let orthogonalised: [Bool]
    /// Offset of each NAdam view in `secondMoment`.
    let secondMomentOffsets: [Int]
    var momentum: [Float]
    var secondMoment: [Float]
    var gradient: ParameterSet
    var iterate: [Float], next: [Float], gram: [Float], polynomial: [Float]

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        adamSchedule = try WarmupCosineSchedule(
            hyperparameters: hyperparameters, budget: budget,
            peakName: hyperparameters["adam_learning_rate"] == nil ? "learning_rate" : "adam_learning_rate")
        momentumDecay = Float(try hyperparameters.decayRate(oneMinus: "one_minus_momentum"))
        adamBeta1 = Float(try hyperparameters.decayRate("adam_beta1", default: 0.9))
        adamBeta2 = Float(try hyperparameters.decayRate("adam_beta2", default: 0.999))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        adamWeightDecay = Float(try hyperparameters.nonNegative("adam_weight_decay", default: 0))
        let steps = hyperparameters.value("ns_steps", default: 5)
        guard steps >= 1, steps <= 20, steps == steps.rounded() else {
            throw HyperparameterError.invalid(name: "ns_steps", value: steps, expected: "an integer in 1...20")
        }
        iterations = Int(steps)
        inputAxisFirst = try hyperparameters.flag("input_axis_first", default: false)
        momentumBiasCorrection = try hyperparameters.flag("momentum_bias_correction", default: false)
        adamNesterov = try hyperparameters.flag("adam_nesterov", default: false)
        let convolutions = try hyperparameters.flag("orthogonalise_convolutions", default: true)
        let embeddings = try hyperparameters.flag("orthogonalise_embeddings", default: false)
        orthogonalised = info.layout.views.map { view in
            switch view.shape.count {
            case 2: view.kind != .embedding || embeddings
            case 3...: convolutions && view.kind == .convWeight
            default: false
            }
        }
        var offsets: [Int] = [], adamCount = 0, largest = 0, largestGram = 0
        for (view, isMatrix) in zip(info.layout.views, orthogonalised) {
            offsets.append(adamCount)
            if isMatrix {
                largest = max(largest, view.count)
                let side = min(view.matrixShape.rows, view.matrixShape.columns)
                largestGram = max(largestGram, side * side)
            } else {
                adamCount += view.count
            }
        }
        secondMomentOffsets = offsets
        momentum = [Float](repeating: 0, count: info.layout.count)
        secondMoment = [Float](repeating: 0, count: adamCount)
        gradient = ParameterSet(layout: info.layout)
        iterate = [Float](repeating: 0, count: largest)
        next = iterate
        gram = [Float](repeating: 0, count: largestGram)
        polynomial = gram
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        for (index, view) in parameters.views.enumerated() {
            if orthogonalised[index] {
                muonStep(view, &parameters, step: context.step)
            } else {
                adamStep(view, offset: secondMomentOffsets[index], &parameters, step: context.step)
            }
        }
    }

    private mutating func muonStep(_ view: ParameterView, _ parameters: inout ParameterSet, step: Int) {
        let t = Double(step + 1)
        let beta = momentumDecay
        // u = momentumScale·m + gradientScale·g: optax's bias-corrected Nesterov, or the
        // authors' g.lerp(m, β) = (1−β)g + βm.
        let momentumScale = momentumBiasCorrection ? beta / Float(1 - pow(Double(beta), t + 1)) : beta
        let gradientScale = momentumBiasCorrection ? (1 - beta) / Float(1 - pow(Double(beta), t)) : 1 - beta
        let (rows, columns) = view.matrixShape
        var squaredNorm = 0.0
        momentum.withUnsafeMutableBufferPointer { m in
            gradient.values.withUnsafeBufferPointer { g in
                iterate.withUnsafeMutableBufferPointer { x in
                    for i in view.range {
                        let mi = beta * m[i] + (1 - beta) * g[i]
                        m[i] = mi
                        let corrected = momentumScale * mi + gradientScale * g[i]
                        x[i - view.offset] = corrected
                        squaredNorm += Double(corrected) * Double(corrected)
                    }
                    let inverse = 1 / (Float(squaredNorm.squareRoot()) + epsilon)
                    for i in 0..<view.count { x[i] *= inverse }
                }
            }
        }
        orthogonalise(rows: rows, columns: columns)
        let rate = Float(schedule.learningRate(at: step))
        let (fanIn, fanOut) = inputAxisFirst ? (rows, columns) : (columns, rows)
        let shapeScale = Float(max(1, Double(fanOut) / Double(fanIn)).squareRoot())
        let decay = weightDecay
        parameters.values.withUnsafeMutableBufferPointer { theta in
            iterate.withUnsafeBufferPointer { x in
                for i in view.range {
                    theta[i] -= rate * (shapeScale * x[i - view.offset] + decay * theta[i])
                }
            }
        }
    }

    /// Newton–Schulz on `iterate` (rows × cols, row-major), in place.
    private mutating func orthogonalise(rows: Int, columns: Int) {
        let (a, b, c) = Self.coefficients
        let wide = rows <= columns
        let side = wide ? rows : columns
        let count = rows * columns
        for _ in 0..<iterations {
            iterate.withUnsafeMutableBufferPointer { x in
                next.withUnsafeMutableBufferPointer { y in
                    gram.withUnsafeMutableBufferPointer { gramBuffer in
                        polynomial.withUnsafeMutableBufferPointer { p in
                            let xp = x.baseAddress!, yp = y.baseAddress!, ap = gramBuffer.baseAddress!, bp = p.baseAddress!
                            if wide {
                                BLAS.gemm(.none, .transposed, m: rows, n: rows, k: columns, a: xp, b: xp, c: ap)
                            } else {
                                BLAS.gemm(.transposed, .none, m: columns, n: columns, k: rows, a: xp, b: xp, c: ap)
                            }
                            BLAS.gemm(.none, .none, m: side, n: side, k: side, alpha: c, a: ap, b: ap, c: bp)
                            for i in 0..<(side * side) { p[i] += b * gramBuffer[i] }
                            for i in 0..<count { y[i] = x[i] }
                            if wide {
                                BLAS.gemm(.none, .none, m: rows, n: columns, k: rows, a: bp, b: xp, beta: a, c: yp)
                            } else {
                                BLAS.gemm(.none, .none, m: rows, n: columns, k: columns, a: xp, b: bp, beta: a, c: yp)
                            }
                        }
                    }
                }
            }
            swap(&iterate, &next)
        }
    }

    private mutating func adamStep(_ view: ParameterView, offset: Int, _ parameters: inout ParameterSet, step: Int) {
        let t = Double(step + 1)
        let rate = Float(adamSchedule.learningRate(at: step))
        let (b1, b2, eps, decay) = (adamBeta1, adamBeta2, epsilon, adamWeightDecay)
        // m̂ = momentumScale·m + gradientScale·g: NAdam's (optax) or Adam's m/(1−β₁ᵗ).
        let momentumScale = adamNesterov ? b1 / Float(1 - pow(Double(b1), t + 1)) : 1 / Float(1 - pow(Double(b1), t))
        let gradientScale = adamNesterov ? (1 - b1) / Float(1 - pow(Double(b1), t)) : 0
        let correction2 = Float(1 - pow(Double(b2), t))
        parameters.values.withUnsafeMutableBufferPointer { theta in
            momentum.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in view.range {
                            let gi = g[i]
                            let mi = b1 * m[i] + (1 - b1) * gi
                            let j = offset + i - view.offset
                            let vi = b2 * v[j] + (1 - b2) * gi * gi
                            m[i] = mi
                            v[j] = vi
                            let mHat = momentumScale * mi + gradientScale * gi
                            theta[i] -= rate * (mHat / ((vi / correction2).squareRoot() + eps) + decay * theta[i])
                        }
                    }
                }
            }
        }
    }

    public var stateBytes: Int { (momentum.count + secondMoment.count) * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("ns_coeffs", is: .array([.number(3.4445), .number(-4.7750), .number(2.0315)]),
                      optaxDefault: .array([.number(3.4445), .number(-4.7750), .number(2.0315)]))
        try a.require("nesterov", is: .bool(true), optaxDefault: .bool(true))
        try a.require("adaptive", is: .bool(false), optaxDefault: .bool(false))
        try a.require("preconditioning", is: .string("frobenius"), optaxDefault: .string("frobenius"))
        try a.require("mu_dtype", is: .null, optaxDefault: .null)
        try a.require("weight_decay_mask", is: .null, optaxDefault: .null)
        try a.require("adam_eps_root", is: .number(0), optaxDefault: .number(0))
        try a.require("adam_learning_rate", is: .null, optaxDefault: .null)
        try a.require("muon_weight_dimension_numbers", is: .null, optaxDefault: .null)
        try a.require("consistent_rms", is: .null, optaxDefault: .null)
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "ns_steps": try a.number("ns_steps", default: 5),
            "one_minus_momentum": 1 - (try a.number("beta", default: 0.95)),
            "epsilon": try a.number("eps", default: 1e-8),
            "weight_decay": try a.number("weight_decay", default: 0),
            "adam_beta1": try a.number("adam_b1", default: 0.9),
            "adam_beta2": try a.number("adam_b2", default: 0.999),
            "adam_weight_decay": try a.number("adam_weight_decay", default: 0),
            "input_axis_first": 1, "orthogonalise_convolutions": 0, "orthogonalise_embeddings": 1,
            "momentum_bias_correction": 1, "adam_nesterov": 1,
        ])
    }
}
