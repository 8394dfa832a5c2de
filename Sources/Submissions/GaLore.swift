import Core
import Foundation
import NN
import Tensor

/// GaLore-AdamW: Adam moments kept in a rank-r subspace of each weight matrix's gradient,
/// projector from an SVD refreshed every T steps, full-parameter updates; linear warmup
/// and cosine decay.
///
/// Zhao et al., "GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection"
/// (ICML 2024), Algorithm 2 as the reference code's `GaLoreAdamW`. On every tensor of rank
/// ≥ 2 (seen as `matrixShape`): at steps t ≡ 0 (mod T) the basis is refreshed from the
/// current gradient (`LowRankProjector`, SVD through LAPACK); `R = project(G)`,
/// `M ← β₁M + (1−β₁)R`, `V ← β₂V + (1−β₂)R²`, `N = (M/(1−β₁ᵗ))/(√(V/(1−β₂ᵗ)) + ε)`,
/// `θ ← θ − η_t·α·projectBack(N)`, then the decoupled decay `θ ← (1 − η_tλ)θ` of the
/// updated θ. As in the reference, the moments are neither reset nor rotated when the
/// basis changes, and bias correction counts all steps. Other tensors take AdamW, decayed
/// after the update the same way.
///
/// The paper's Algorithm 2 has no weight decay; its experiments ran the authors' code
/// (`galore_torch.GaLoreAdamW`, Hugging Face AdamW style), which decays after the update,
/// so that order is followed. Checked against galore-torch 1.0 (`reference/galore.json`);
/// `reference/galore_gap5_wd.json` is a declared deviation: at each basis refresh the
/// singular vectors' signs differ from torch's, and as the moments are not rotated the
/// trajectories part. Defaults from the paper's LLaMA pre-training: rank 128
/// (capped at the matrix's smaller side), T = 200, α = 0.25, learning rate 0.01, no decay.
public struct GaLore: Submission {
    public static let name = "galore"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-3, max: 1e-1, scaling: .log),
        "one_minus_beta1": .feasiblePoints([0.1]),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-5, max: 0.1, scaling: .log),
        "rank": .feasiblePoints([128]),
        "update_proj_gap": .feasiblePoints([200]),
        "scale": .range(min: 0.1, max: 1, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0, "rank": 128,
        "update_proj_gap": 200, "scale": 0.25, "warmup_fraction": 0.05,
    ])

    let schedule: WarmupCosineSchedule
    let epsilon: Float, weightDecay: Float, scale: Float
    let refresh: ProjectionRefresh
    var projectors: [LowRankProjector?]
    /// Where each matrix's low-rank moments start in `lowRankMoments`.
    let offsets: [Int]
    var lowRankMoments: MomentBuffers
    var vectors: VectorMoments
    var refresher = ProjectorRefresher()
    var projected: [Float], lowRankUpdate: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        scale = Float(try hyperparameters.positive("scale", default: 0.25))
        let rank = try hyperparameters.integer("rank", default: 128, in: 1...(1 << 20))
        refresh = try ProjectionRefresh(hyperparameters: hyperparameters)
        var projectors: [LowRankProjector?] = [], offsets: [Int] = [], total = 0, largestProjected = 0
        for view in info.layout.views {
            offsets.append(total)
            guard view.shape.count >= 2 else {
                projectors.append(nil)
                continue
            }
            let (m, n) = view.matrixShape
            let projector = LowRankProjector(rows: m, columns: n, rank: rank)
            projectors.append(projector)
            total += projector.projectedCount
            refresher.reserve(rows: m, columns: n)
            largestProjected = max(largestProjected, projector.projectedCount)
        }
        self.projectors = projectors
        self.offsets = offsets
        lowRankMoments = try MomentBuffers(hyperparameters: hyperparameters, count: total)
        vectors = try VectorMoments(layout: info.layout, hyperparameters: hyperparameters)
        projected = [Float](repeating: 0, count: largestProjected)
        lowRankUpdate = projected
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let corrections = lowRankMoments.decay.corrections(atStep: context.step)
        for index in parameters.views.indices {
            if vectors.holds(index) {
                // AdamW, decayed after the update as the reference does.
                let (decay, eps, weightDecay) = (vectors.moments.decay, epsilon, weightDecay)
                vectors.update(index, of: &parameters, gradient: gradient) { theta, m, v, g in
                    m = decay.first(m, g)
                    v = decay.second(v, g)
                    theta = (theta - rate * corrections.direction(m: m, v: v, epsilon: eps)) * (1 - rate * weightDecay)
                }
            } else {
                lowRankStep(index, &parameters, step: context.step, rate: rate, corrections: corrections)
            }
        }
    }

    private mutating func lowRankStep(
        _ index: Int, _ parameters: inout ParameterSet, step: Int, rate: Float, corrections: BiasCorrections
    ) {
        guard var projector = projectors[index] else { return }
        let view = parameters.views[index]
        let count = projector.projectedCount
        gradient.values.withUnsafeBufferPointer { all in
            let g = all.baseAddress! + view.offset
            if refresh.isDue(atStep: step) { refresher.refresh(&projector, from: g) }
            projected.withUnsafeMutableBufferPointer { r in projector.project(g, into: r.baseAddress!) }
        }
        projectors[index] = projector
        // N = Adam's direction from the low-rank moments of R = project(G).
        let (decay, eps) = (lowRankMoments.decay, epsilon)
        FusedUpdate.apply(
            &lowRankUpdate, &lowRankMoments.first, &lowRankMoments.second, gradient: projected,
            range: 0..<count, stateOffset: offsets[index]
        ) { n, m, v, r in
            m = decay.first(m, r)
            v = decay.second(v, r)
            n = corrections.direction(m: m, v: v, epsilon: eps)
        }
        // θ ← θ − ηα·projectBack(N), the product accumulated by gemm; then θ ← (1 − ηλ)θ.
        let weightDecay = self.weightDecay
        parameters.values.withUnsafeMutableBufferPointer { theta in
            lowRankUpdate.withUnsafeBufferPointer { n in
                projector.projectBack(n.baseAddress!, into: theta.baseAddress! + view.offset, alpha: -rate * scale, beta: 1)
            }
            if weightDecay != 0 { for i in view.range { theta[i] *= 1 - rate * weightDecay } }
        }
    }

    /// Low-rank moments, projector bases, and the vectors' full moments.
    public var stateBytes: Int {
        let bases = projectors.reduce(0) { $0 + ($1?.basis.count ?? 0) }
        return lowRankMoments.stateBytes + vectors.stateBytes + bases * MemoryLayout<Float>.size
    }
}

extension GaLore: ConformanceDeviating {
    /// Against galore-torch 1.0 with a basis refresh every 5 steps and decay 0.1.
    public static let conformanceDeviations = [
        ConformanceDeviation(
            caseName: "galore_gap5_wd", reference: "galore_torch.GaLoreAdamW",
            reason: "at each basis refresh LAPACK's SVD (sgesdd of the column-major Aᵀ) returns singular vectors "
                + "with other signs than torch's SVD of A; the moments are carried over unrotated, as in the "
                + "reference, so a flipped sign changes the update from the first refresh on. Within one basis "
                + "period the signs cancel (P·Pᵀ) and galore.json matches to 2.5e-7.",
            measuredError: 3.70e-2),
    ]
}
