import Core
import Foundation
import NN
import Tensor

/// Subspace-momentum with subset-norm step sizes (AdamSNSM): momentum kept only in a
/// rank-r subspace of each matrix's gradient, plain (adaptively scaled) SGD in its
/// complement; linear warmup and cosine decay.
///
/// Nguyen, Nguyen, Ene & Nguyen, "Efficient Adaptive Optimization via Subset-Norm and
/// Subspace-Momentum" (2024), as the authors' reference code. On every tensor of rank ≥ 2
/// (`matrixShape`): at steps t ≡ 0 (mod T) the basis is refreshed from the gradient's SVD
/// (`LowRankProjector`, LAPACK) and the momentum restarts from zero; `R = project(G)`,
/// `M ← β₁M + (1−β₁)R`, numerator `N = projectBack(M) + (G − projectBack(R))`. With
/// subset-norm on (`subset_norm` = 1, the paper's AdamSNSM): `v_S ← β₂v_S + (1−β₂)Σ_{i∈S}g_i²`
/// per subset S (`SubsetPartition`, rows or columns keeping the larger side) and
/// `θ_i ← θ_i − η_t·√(1−β₂ᵗ)·N_i/(√v_S + ε)`; with it off, `θ ← θ − η_t·N` (momentum
/// in the subspace, SGD in the complement). As in the reference, M is not bias-corrected.
/// Then `θ ← θ − η_tλθ`. Tensors of rank < 2 take AdamW. Defaults: the reference's
/// T = 200, β = (0.9, 0.999), ε = 1e-8; rank 128 capped at the matrix's smaller side; the
/// rate 1e-2 as `subset_norm` (the summed second moment shrinks steps by ~1/√|S|).
public struct SubspaceMomentum: Submission {
    public static let name = "subspace_momentum"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-3, max: 1, scaling: .log),
        "one_minus_beta1": .feasiblePoints([0.1]),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-5, max: 0.1, scaling: .log),
        "rank": .feasiblePoints([128]),
        "update_proj_gap": .feasiblePoints([200]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0, "rank": 128,
        "update_proj_gap": 200, "warmup_fraction": 0.05,
    ])

    /// A matrix's projector, subsets and state offsets.
    struct Plan {
        var projector: LowRankProjector
        let partition: SubsetPartition
        let momentumOffset: Int, normOffset: Int
    }

    let schedule: WarmupCosineSchedule
    /// β₁ of the subspace momentum and β₂ of the subset norms (and of the vectors' AdamW).
    let decay: MomentDecay
    let epsilon: Float, weightDecay: Float
    let refresh: ProjectionRefresh
    let useSubsetNorm: Bool
    var plans: [Plan?]
    var momentum: [Float], subsetNorms: [Float]
    /// The vectors' AdamW moments.
    var vectors: VectorMoments
    var refresher = ProjectorRefresher()
    /// Scratch: projected gradient, numerator, per-subset sums.
    var projected: [Float], numerator: [Float], sums: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        decay = try MomentDecay(hyperparameters: hyperparameters)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        useSubsetNorm = try hyperparameters.flag("subset_norm", default: true)
        let rank = try hyperparameters.integer("rank", default: 128, in: 1...(1 << 20))
        refresh = try ProjectionRefresh(hyperparameters: hyperparameters)
        var plans: [Plan?] = []
        var momentumCount = 0, normCount = 0
        var largestProjected = 0, largestMatrix = 0, largestSubsets = 0
        for view in info.layout.views {
            guard view.shape.count >= 2 else {
                plans.append(nil)
                continue
            }
            let (m, n) = view.matrixShape
            let projector = LowRankProjector(rows: m, columns: n, rank: rank)
            let partition = SubsetPartition(view: view, requestedSize: 0)
            plans.append(Plan(projector: projector, partition: partition, momentumOffset: momentumCount, normOffset: normCount))
            momentumCount += projector.projectedCount
            if useSubsetNorm { normCount += partition.count }
            refresher.reserve(rows: m, columns: n)
            largestProjected = max(largestProjected, projector.projectedCount)
            largestMatrix = max(largestMatrix, view.count)
            largestSubsets = max(largestSubsets, partition.count)
        }
        self.plans = plans
        momentum = [Float](repeating: 0, count: momentumCount)
        subsetNorms = [Float](repeating: 0, count: normCount)
        vectors = try VectorMoments(layout: info.layout, hyperparameters: hyperparameters)
        projected = [Float](repeating: 0, count: largestProjected)
        numerator = [Float](repeating: 0, count: largestMatrix)
        sums = [Float](repeating: 0, count: largestSubsets)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let corrections = decay.corrections(atStep: context.step)
        for (index, view) in parameters.views.enumerated() {
            if vectors.holds(index) {
                // AdamW with the decay inside the step.
                let (decay, eps, weightDecay) = (decay, epsilon, weightDecay)
                vectors.update(index, of: &parameters, gradient: gradient) { theta, m, v, g in
                    m = decay.first(m, g)
                    v = decay.second(v, g)
                    theta -= rate * (corrections.direction(m: m, v: v, epsilon: eps) + weightDecay * theta)
                }
            } else {
                matrixStep(index, view, &parameters, step: context.step, rate: rate)
            }
        }
    }

    private mutating func matrixStep(_ index: Int, _ view: ParameterView, _ parameters: inout ParameterSet, step: Int, rate: Float) {
        guard var plan = plans[index] else { return }
        let count = plan.projector.projectedCount
        let refreshed = refresh.isDue(atStep: step)
        gradient.values.withUnsafeBufferPointer { all in
            let g = all.baseAddress! + view.offset
            if refreshed { refresher.refresh(&plan.projector, from: g) }
            projected.withUnsafeMutableBufferPointer { r in plan.projector.project(g, into: r.baseAddress!) }
            // N = G − projectBack(R), then + projectBack(M) after the momentum update.
            numerator.withUnsafeMutableBufferPointer { n in
                for i in 0..<view.count { n[i] = g[i] }
                projected.withUnsafeBufferPointer { r in
                    plan.projector.projectBack(r.baseAddress!, into: n.baseAddress!, alpha: -1, beta: 1)
                }
            }
        }
        plans[index] = plan
        let b1 = decay.beta1
        momentum.withUnsafeMutableBufferPointer { m in
            projected.withUnsafeBufferPointer { r in
                let base = plan.momentumOffset
                for k in 0..<count {
                    m[base + k] = (refreshed ? 0 : b1 * m[base + k]) + (1 - b1) * r[k]
                }
                numerator.withUnsafeMutableBufferPointer { n in
                    plan.projector.projectBack(m.baseAddress! + base, into: n.baseAddress!, alpha: 1, beta: 1)
                }
            }
        }
        let weightDecay = self.weightDecay, eps = epsilon
        let partition = plan.partition
        if useSubsetNorm {
            let b2 = decay.beta2
            let stepScale = rate * Float((1 - pow(Double(b2), Double(step + 1))).squareRoot())
            subsetNorms.withUnsafeMutableBufferPointer { v in
                sums.withUnsafeMutableBufferPointer { sum in
                    gradient.values.withUnsafeBufferPointer { g in
                        numerator.withUnsafeBufferPointer { n in
                            parameters.values.withUnsafeMutableBufferPointer { theta in
                                for k in 0..<partition.count { sum[k] = 0 }
                                for i in view.range { sum[partition.subset(of: i - view.offset)] += g[i] * g[i] }
                                let base = plan.normOffset
                                for k in 0..<partition.count { v[base + k] = b2 * v[base + k] + (1 - b2) * sum[k] }
                                for i in view.range {
                                    let local = i - view.offset
                                    let denominator = v[base + partition.subset(of: local)].squareRoot() + eps
                                    theta[i] -= stepScale * n[local] / denominator
                                    theta[i] -= rate * weightDecay * theta[i]
                                }
                            }
                        }
                    }
                }
            }
        } else {
            numerator.withUnsafeBufferPointer { n in
                parameters.values.withUnsafeMutableBufferPointer { theta in
                    for i in view.range {
                        theta[i] -= rate * n[i - view.offset]
                        theta[i] -= rate * weightDecay * theta[i]
                    }
                }
            }
        }
    }

    public var stateBytes: Int {
        let bases = plans.reduce(0) { $0 + ($1?.projector.basis.count ?? 0) }
        return (momentum.count + bases + subsetNorms.count) * MemoryLayout<Float>.size + vectors.stateBytes
    }
}
