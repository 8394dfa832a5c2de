import Core
import NN

/// SCALE (Stochastic Column-normAlized Last-layer momEntum): column-normalised SGD, with
/// first-order momentum on the output layer only; linear warmup and cosine decay.
///
/// Glentis, Li, Han & Hong, "A Minimalist Optimizer Design for LLM Pretraining" (2025),
/// Algorithm 1, as the authors' reference code. On every tensor of rank ≥ 2 seen as a
/// matrix G (`matrixShape`: out × in·…): `u = G ⊘ s` where s is the RMS of G over the input
/// axis for each output unit (`s_i = max(√(mean_j G_ij²), 1e-8)`; the paper's "columns" of
/// a d_in × d_out matrix are the rows of our out × in layout), and over the vocabulary
/// axis for each embedding dimension for `.embedding` tensors, as the reference code
/// does for `embed_tokens`. On the output layer G is first replaced by the momentum
/// `m ← βm + (1−β)g`; the output layer is the last rank-≥2 tensor of the layout (the
/// paper's LM head; `WorkloadInfo` names no layer, and every model here ends with its
/// head). Then `θ ← (1 − η_tλ)θ − η_t·u`. Tensors of rank < 2 take AdamW (β = (0.9,
/// 0.999), ε = 1e-8, bias-corrected) at `adam_learning_rate` on the same schedule, as in
/// the reference code. Defaults: β = 0.9 and no weight decay (the paper follows GaLore's
/// LLaMA settings); the rate 1e-3 matches the unit-RMS rows of the update to Adam's.
public struct SCALE: Submission {
    public static let name = "scale"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "adam_learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_momentum": .feasiblePoints([0.1]),
        "weight_decay": .range(min: 1e-5, max: 0.1, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-3, "adam_learning_rate": 1e-3, "one_minus_momentum": 0.1, "weight_decay": 0,
        "warmup_fraction": 0.05,
    ])

    /// How one tensor is updated.
    enum Rule: Equatable {
        /// Normalised gradient; `overRows` normalises each column over the rows (embeddings).
        case normalised(overRows: Bool)
        /// Normalised momentum (the output layer), whose momentum starts at `offset`.
        case momentum(offset: Int)
        /// AdamW (a vector tensor; its moments are in `vectors`).
        case adam
    }

    let schedule: WarmupCosineSchedule
    let adamSchedule: WarmupCosineSchedule
    let beta: Float, weightDecay: Float
    let epsilon: Float
    let rules: [Rule]
    var momentum: [Float]
    /// The rank-<2 tensors' AdamW moments, with β = (`adam_beta1`, `adam_beta2`).
    var vectors: VectorMoments
    /// Per-row or per-column scales of the tensor being updated (scratch).
    var scales: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        adamSchedule = try WarmupCosineSchedule(
            hyperparameters: hyperparameters, budget: budget,
            peakName: hyperparameters["adam_learning_rate"] == nil ? "learning_rate" : "adam_learning_rate")
        beta = Float(try hyperparameters.decayRate(oneMinus: "one_minus_momentum"))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        let adamDecay = MomentDecay(
            beta1: Float(try hyperparameters.decayRate("adam_beta1", default: 0.9)),
            beta2: Float(try hyperparameters.decayRate("adam_beta2", default: 0.999)))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        let views = info.layout.views
        let output = views.lastIndex { $0.shape.count >= 2 }
        var rules: [Rule] = [], momentumCount = 0, largestSide = 0
        for (index, view) in views.enumerated() {
            if view.shape.count < 2 {
                rules.append(.adam)
                continue
            }
            let (rows, columns) = view.matrixShape
            largestSide = max(largestSide, rows, columns)
            if index == output {
                rules.append(.momentum(offset: momentumCount))
                momentumCount += view.count
            } else {
                rules.append(.normalised(overRows: view.kind == .embedding))
            }
        }
        self.rules = rules
        momentum = [Float](repeating: 0, count: momentumCount)
        vectors = VectorMoments(layout: info.layout, decay: adamDecay)
        scales = [Float](repeating: 0, count: largestSide)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let adamW = AdamWStep(
            decay: vectors.moments.decay, corrections: vectors.moments.decay.corrections(atStep: context.step),
            epsilon: epsilon, rate: Float(adamSchedule.learningRate(at: context.step)), weightDecay: weightDecay)
        for (index, (view, rule)) in zip(parameters.views, rules).enumerated() {
            switch rule {
            case .normalised(let overRows):
                normalisedStep(view, &parameters, rate: rate, overRows: overRows)
            case .momentum(let offset):
                updateMomentum(view, offset: offset)
                normalisedStep(view, &parameters, rate: rate, overRows: view.kind == .embedding)
            case .adam:
                vectors.update(index, of: &parameters, gradient: gradient) { adamW(&$0, &$1, &$2, $3) }
            }
        }
    }

    /// `m ← βm + (1−β)g` for the output layer, then `gradient` holds m for the normalisation.
    private mutating func updateMomentum(_ view: ParameterView, offset: Int) {
        let b = beta
        momentum.withUnsafeMutableBufferPointer { m in
            gradient.values.withUnsafeMutableBufferPointer { g in
                for i in view.range {
                    let j = offset + i - view.offset
                    let mi = b * m[j] + (1 - b) * g[i]
                    m[j] = mi
                    g[i] = mi
                }
            }
        }
    }

    /// `θ ← (1 − ηλ)θ − η·G ⊘ s` with s the RMS of each row (or each column, `overRows`).
    private mutating func normalisedStep(_ view: ParameterView, _ parameters: inout ParameterSet, rate: Float, overRows: Bool) {
        let (rows, columns) = view.matrixShape
        let decay = weightDecay
        scales.withUnsafeMutableBufferPointer { s in
            gradient.values.withUnsafeBufferPointer { g in
                let count = overRows ? columns : rows
                for k in 0..<count { s[k] = 0 }
                for r in 0..<rows {
                    for c in 0..<columns {
                        let x = g[view.offset + r * columns + c]
                        s[overRows ? c : r] += x * x
                    }
                }
                let length = Float(overRows ? rows : columns)
                for k in 0..<count { s[k] = 1 / max((s[k] / length).squareRoot(), 1e-8) }
                parameters.values.withUnsafeMutableBufferPointer { theta in
                    for r in 0..<rows {
                        for c in 0..<columns {
                            let i = view.offset + r * columns + c
                            theta[i] = (1 - rate * decay) * theta[i] - rate * g[i] * s[overRows ? c : r]
                        }
                    }
                }
            }
        }
    }

    /// The output layer's momentum and the 1-D tensors' two AdamW moments.
    public var stateBytes: Int { momentum.count * MemoryLayout<Float>.size + vectors.stateBytes }
}

extension SCALE: ParameterGroupConformant {
    /// The authors' code takes three groups: `main_params` (column-normalised matrices),
    /// `secondary_params` (the momentum-normalised output layer) and `oned_params` (AdamW).
    /// This submission makes the same split by itself: the last rank-≥2 tensor is the
    /// output layer, the other rank-≥2 tensors are main, the rest 1-D; a reference grouping
    /// that differs cannot be taken.
    public static func checkParameterGroups(_ groups: [ConformanceParameterGroup], layout: ParameterLayout) -> String? {
        let matrices = layout.views.filter { $0.shape.count >= 2 }.map(\.name)
        let expected: [String: Set<String>] = [
            "main_params": Set(matrices.dropLast()),
            "secondary_params": Set(matrices.suffix(1)),
            "oned_params": Set(layout.views.filter { $0.shape.count < 2 }.map(\.name)),
        ]
        var given: [String: Set<String>] = [:]
        for group in groups {
            guard expected[group.role] != nil else {
                return "group role '\(group.role)' is not one of main_params, secondary_params, oned_params"
            }
            given[group.role, default: []].formUnion(group.names)
        }
        for (role, names) in expected.sorted(by: { $0.key < $1.key }) where (given[role] ?? []) != names {
            return "\(role) is \((given[role] ?? []).sorted()), but the submission's \(role) are \(names.sorted())"
        }
        return nil
    }
}
