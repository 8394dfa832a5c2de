import Core
import Foundation
import NN
import Tensor

/// APOLLO: AdamW's per-channel learning-rate scaling estimated from a low-rank auxiliary
/// state built by a seeded random projection; linear warmup and cosine decay.
///
/// Zhu et al., "APOLLO: SGD-like Memory, AdamW-level Performance" (MLSys 2025), as the
/// authors' `apollo_torch`. On every tensor of rank ≥ 2 (`matrixShape` m × n): a Gaussian
/// projection with entries N(0, 1/r), redrawn every T steps from a `StableHash` seed of
/// the tensor's name and the redraw count; `R = G·Pᵀ` (P: r × n) when m ≥ n, else
/// `R = Pᵀ·G` (P: m × r). Adam moments on R (not reset at redraws):
/// `M ← β₁M + (1−β₁)R`, `V ← β₂V + (1−β₂)R²`, `Ñ = M/(√V + ε)`. Scaling: per channel
/// (each of the unprojected side's m rows or n columns) `s = ‖Ñ_channel‖/(‖R_channel‖ + 1e-8)`,
/// or per tensor (`tensor_scaling` = 1, APOLLO-Mini) `s = ‖Ñ‖/(‖R‖ + 1e-8)`; `G̃ = G ⊙ s`.
/// Norm-growth limiter (Fira): from the second step, `G̃ ← G̃/max(1, ‖G̃‖/(1.01·ℓ))` and
/// `ℓ ← ‖G̃‖` after limiting (ℓ = ‖G̃‖ at the first step). Then
/// `θ ← θ − η_t·√(1−β₂ᵗ)/(1−β₁ᵗ)·√α·G̃` and `θ ← θ − η_tλθ`. Tensors of rank < 2 take
/// AdamW (same β, ε). The projection is stored (the reference keeps it too; it could be
/// regenerated from its seed) and counted in `stateBytes`. Defaults: the reference's
/// β = (0.9, 0.999), ε = 1e-6, T = 200, α = 1, learning rate 0.01, no decay; rank = a
/// quarter of the smaller side (the paper's 256 for hidden size 1024; `rank` overrides).
public struct APOLLO: Submission {
    public static let name = "apollo"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-3, max: 1e-1, scaling: .log),
        "one_minus_beta1": .feasiblePoints([0.1]),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-5, max: 0.1, scaling: .log),
        "update_proj_gap": .feasiblePoints([200]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0, "update_proj_gap": 200,
        "warmup_fraction": 0.05,
    ])

    var core: APOLLOCore

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        core = try APOLLOCore(info: info, hyperparameters: hyperparameters, budget: budget, mini: false)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        try core.step(&parameters, oracle: oracle, context: context)
    }

    public var stateBytes: Int { core.stateBytes }
}

/// The update shared by `APOLLO` and `APOLLOMini`.
struct APOLLOCore {
    /// One matrix: its random projection and where its state lives.
    struct Plan {
        let view: ParameterView
        let rows: Int, columns: Int, rank: Int
        /// Right projection (P: r × n, R = G·Pᵀ, m × r) when rows ≥ columns.
        let right: Bool
        var projection: [Float]
        let momentOffset: Int
        var projectedCount: Int { right ? rows * rank : rank * columns }
        /// Channels: the unprojected side.
        var channelCount: Int { right ? rows : columns }
    }

    let schedule: WarmupCosineSchedule
    let epsilon: Float, weightDecay: Float, scale: Float
    /// New random projections every `update_proj_gap` steps.
    let redraws: ProjectionRefresh
    let tensorScaling: Bool
    var plans: [Plan?]
    /// Low-rank moments of the matrices.
    var moments: MomentBuffers
    /// Full moments of the vectors.
    var vectors: VectorMoments
    /// Norm-growth limiter: the last limited ‖G̃‖ per matrix (NaN before the first step).
    var limiterNorms: [Float]
    /// Test seam: the identity replaces the random projection (rank = the projected side).
    var usesIdentityProjection = false
    /// Scratch: projected gradient, per-channel scales.
    var projected: [Float], scales: [Float]
    var gradient: ParameterSet

    init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget, mini: Bool) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-6))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        scale = Float(try hyperparameters.positive("scale", default: mini ? 128 : 1))
        redraws = try ProjectionRefresh(hyperparameters: hyperparameters)
        tensorScaling = try hyperparameters.flag("tensor_scaling", default: mini)
        let requestedRank = try hyperparameters.integer("rank", default: mini ? 1 : 0, in: 0...(1 << 20))
        var plans: [Plan?] = [], moments = 0, largestProjected = 0, largestChannels = 0
        for view in info.layout.views {
            guard view.shape.count >= 2 else {
                plans.append(nil)
                continue
            }
            let (m, n) = view.matrixShape
            let right = m >= n
            let side = right ? n : m
            let rank = max(1, min(side, requestedRank > 0 ? requestedRank : side / 4))
            let plan = Plan(
                view: view, rows: m, columns: n, rank: rank, right: right,
                projection: [Float](repeating: 0, count: rank * side), momentOffset: moments)
            moments += plan.projectedCount
            largestProjected = max(largestProjected, plan.projectedCount)
            largestChannels = max(largestChannels, plan.channelCount)
            plans.append(plan)
        }
        self.plans = plans
        self.moments = try MomentBuffers(hyperparameters: hyperparameters, count: moments)
        vectors = try VectorMoments(layout: info.layout, hyperparameters: hyperparameters)
        limiterNorms = [Float](repeating: .nan, count: plans.count)
        projected = [Float](repeating: 0, count: largestProjected)
        scales = [Float](repeating: 0, count: largestChannels)
        gradient = ParameterSet(layout: info.layout)
    }

    mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let decay = moments.decay
        let corrections = decay.corrections(atStep: context.step)
        // The reference folds both corrections into the step size (Adam's "efficient" form).
        let stepScale = rate * corrections.second.squareRoot() / corrections.first
        for index in plans.indices {
            if vectors.holds(index) {
                let (eps, weightDecay) = (epsilon, weightDecay)
                vectors.update(index, of: &parameters, gradient: gradient) { theta, m, v, g in
                    m = decay.first(m, g)
                    v = decay.second(v, g)
                    theta -= stepScale * m / (v.squareRoot() + eps)
                    theta -= rate * weightDecay * theta
                }
            } else {
                matrixStep(index, &parameters, step: context.step, rate: rate, stepScale: stepScale)
            }
        }
    }

    /// Draws (or sets to the identity) the projection of plan `index` for redraw `count`.
    private mutating func redraw(_ index: Int, count: Int) {
        guard var plan = plans[index] else { return }
        let side = plan.right ? plan.columns : plan.rows
        if usesIdentityProjection {
            precondition(plan.rank == side, "APOLLO: the identity projection needs rank = \(side), got \(plan.rank)")
            for i in 0..<plan.projection.count { plan.projection[i] = 0 }
            for i in 0..<side { plan.projection[i * side + i] = 1 }
        } else {
            var generator = RandomGenerator("apollo.projection", .text(plan.view.name), .integer(count))
            let deviation = 1 / Float(plan.rank).squareRoot()
            plan.projection.withUnsafeMutableBufferPointer { generator.fillNormal($0, standardDeviation: deviation) }
        }
        plans[index] = plan
    }

    private mutating func matrixStep(_ index: Int, _ parameters: inout ParameterSet, step: Int, rate: Float, stepScale: Float) {
        if redraws.isDue(atStep: step) { redraw(index, count: redraws.period(atStep: step)) }
        guard let plan = plans[index] else { return }
        let (m, n, r) = (plan.rows, plan.columns, plan.rank)
        let view = plan.view
        // R = G·Pᵀ (m × r) or Pᵀ·G (r × n).
        gradient.values.withUnsafeBufferPointer { all in
            projected.withUnsafeMutableBufferPointer { out in
                plan.projection.withUnsafeBufferPointer { p in
                    let g = all.baseAddress! + view.offset
                    if plan.right {
                        BLAS.gemm(.none, .transposed, m: m, n: r, k: n, a: g, b: p.baseAddress!, c: out.baseAddress!)
                    } else {
                        BLAS.gemm(.transposed, .none, m: r, n: n, k: m, a: p.baseAddress!, b: g, c: out.baseAddress!)
                    }
                }
            }
        }
        let (averages, eps) = (moments.decay, epsilon)
        let channels = plan.channelCount
        let tensorWise = tensorScaling
        let right = plan.right
        var tensorN = 0.0, tensorR = 0.0
        scales.withUnsafeMutableBufferPointer { s in
            for c in 0..<channels { s[c] = 0 }
            moments.first.withUnsafeMutableBufferPointer { mm in
                moments.second.withUnsafeMutableBufferPointer { vv in
                    projected.withUnsafeMutableBufferPointer { rr in
                        // Moments; ‖Ñ‖² per channel into s; R's squares kept in place for ‖R‖² below.
                        for k in 0..<plan.projectedCount {
                            let x = rr[k]
                            let j = plan.momentOffset + k
                            let mk = averages.first(mm[j], x)
                            let vk = averages.second(vv[j], x)
                            mm[j] = mk
                            vv[j] = vk
                            let normalised = mk / (vk.squareRoot() + eps)
                            // Channel of entry k: its row (right, m × r) or its column (left, r × n).
                            s[right ? k / r : k % n] += normalised * normalised
                            tensorN += Double(normalised) * Double(normalised)
                            tensorR += Double(x) * Double(x)
                            rr[k] = x * x
                        }
                    }
                }
            }
            if tensorWise {
                let factor = Float(tensorN.squareRoot()) / (Float(tensorR.squareRoot()) + 1e-8)
                for c in 0..<channels { s[c] = factor }
            } else {
                projected.withUnsafeBufferPointer { squares in
                    // ‖R_channel‖² = Σ of the squares stored above.
                    for c in 0..<channels {
                        var total: Float = 0
                        if plan.right {
                            for a in 0..<r { total += squares[c * r + a] }
                        } else {
                            for a in 0..<r { total += squares[a * n + c] }
                        }
                        s[c] = s[c].squareRoot() / (total.squareRoot() + 1e-8)
                    }
                }
            }
        }
        // G̃ = G ⊙ s, its norm, the limiter, then the step.
        var squared = 0.0
        scales.withUnsafeBufferPointer { s in
            gradient.values.withUnsafeBufferPointer { g in
                for i in 0..<view.count {
                    let channel = plan.right ? i / n : i % n
                    let x = g[view.offset + i] * s[channel]
                    squared += Double(x) * Double(x)
                }
            }
        }
        let norm = Float(squared.squareRoot())
        var limiter: Float = 1
        let previous = limiterNorms[index]
        if previous.isNaN {
            limiterNorms[index] = norm
        } else {
            limiter = max(norm / (previous + 1e-8), 1.01) / 1.01
            limiterNorms[index] = norm / limiter
        }
        let factor = stepScale * scale.squareRoot() / limiter
        let decay = rate * weightDecay
        scales.withUnsafeBufferPointer { s in
            gradient.values.withUnsafeBufferPointer { g in
                parameters.values.withUnsafeMutableBufferPointer { theta in
                    for i in 0..<view.count {
                        let channel = plan.right ? i / n : i % n
                        let j = view.offset + i
                        theta[j] -= factor * g[j] * s[channel]
                        theta[j] -= decay * theta[j]
                    }
                }
            }
        }
    }

    /// Low-rank moments, stored projections, one limiter norm per matrix, vector moments.
    var stateBytes: Int {
        let projections = plans.reduce(0) { $0 + ($1?.projection.count ?? 0) }
        let matrices = plans.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
        return moments.stateBytes + vectors.stateBytes + (projections + matrices) * MemoryLayout<Float>.size
    }
}
