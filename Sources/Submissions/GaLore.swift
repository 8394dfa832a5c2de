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
    let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, scale: Float
    let updateGap: Int
    /// Projector of each rank-≥2 view (nil: element-wise AdamW), and its moments' offset.
    var projectors: [LowRankProjector?]
    let offsets: [Int]
    var firstMoment: [Float], secondMoment: [Float]
    var workspace = LAPACKWorkspace()
    /// Scratch: SVD factors, the projected gradient, the low-rank update.
    var u: [Float], s: [Float], vt: [Float], projected: [Float], lowRankUpdate: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        scale = Float(try hyperparameters.positive("scale", default: 0.25))
        let rank = try hyperparameters.integer("rank", default: 128, in: 1...(1 << 20))
        updateGap = try hyperparameters.integer("update_proj_gap", default: 200, in: 1...(1 << 30))
        var projectors: [LowRankProjector?] = [], offsets: [Int] = [], total = 0
        var largestU = 0, largestK = 0, largestVT = 0, largestProjected = 0
        for view in info.layout.views {
            offsets.append(total)
            if view.shape.count >= 2 {
                let (m, n) = view.matrixShape
                let projector = LowRankProjector(rows: m, columns: n, rank: rank)
                projectors.append(projector)
                total += projector.projectedCount
                let k = min(m, n)
                largestU = max(largestU, m * k)
                largestK = max(largestK, k)
                largestVT = max(largestVT, k * n)
                largestProjected = max(largestProjected, projector.projectedCount)
            } else {
                projectors.append(nil)
                total += view.count
            }
        }
        self.projectors = projectors
        self.offsets = offsets
        firstMoment = [Float](repeating: 0, count: total)
        secondMoment = firstMoment
        u = [Float](repeating: 0, count: largestU)
        s = [Float](repeating: 0, count: largestK)
        vt = [Float](repeating: 0, count: largestVT)
        projected = [Float](repeating: 0, count: largestProjected)
        lowRankUpdate = projected
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let correction1 = Float(1 - pow(Double(beta1), t))
        let correction2 = Float(1 - pow(Double(beta2), t))
        for (index, view) in parameters.views.enumerated() {
            if projectors[index] != nil {
                lowRankStep(index, view, &parameters, step: context.step, rate: rate, c1: correction1, c2: correction2)
            } else {
                adamStep(view, offset: offsets[index], &parameters, rate: rate, c1: correction1, c2: correction2)
            }
        }
    }

    private mutating func lowRankStep(
        _ index: Int, _ view: ParameterView, _ parameters: inout ParameterSet, step: Int, rate: Float, c1: Float, c2: Float
    ) {
        guard var projector = projectors[index] else { return }
        let offset = offsets[index]
        let count = projector.projectedCount
        gradient.values.withUnsafeBufferPointer { all in
            let g = all.baseAddress! + view.offset
            if step % updateGap == 0 {
                u.withUnsafeMutableBufferPointer { uu in
                    s.withUnsafeMutableBufferPointer { ss in
                        vt.withUnsafeMutableBufferPointer { vv in
                            projector.refresh(
                                from: g, workspace: &workspace, u: uu.baseAddress!, s: ss.baseAddress!, vt: vv.baseAddress!)
                        }
                    }
                }
            }
            projected.withUnsafeMutableBufferPointer { r in projector.project(g, into: r.baseAddress!) }
        }
        projectors[index] = projector
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                projected.withUnsafeBufferPointer { r in
                    lowRankUpdate.withUnsafeMutableBufferPointer { n in
                        for k in 0..<count {
                            let rk = r[k]
                            let mk = b1 * m[offset + k] + (1 - b1) * rk
                            let vk = b2 * v[offset + k] + (1 - b2) * rk * rk
                            m[offset + k] = mk
                            v[offset + k] = vk
                            n[k] = (mk / c1) / ((vk / c2).squareRoot() + eps)
                        }
                    }
                }
            }
        }
        // θ ← θ − ηα·projectBack(N), the product accumulated by gemm; then θ ← (1 − ηλ)θ.
        let decay = weightDecay
        parameters.values.withUnsafeMutableBufferPointer { theta in
            lowRankUpdate.withUnsafeBufferPointer { n in
                projector.projectBack(n.baseAddress!, into: theta.baseAddress! + view.offset, alpha: -rate * scale, beta: 1)
            }
            if decay != 0 { for i in view.range { theta[i] *= 1 - rate * decay } }
        }
    }

    private mutating func adamStep(_ view: ParameterView, offset: Int, _ parameters: inout ParameterSet, rate: Float, c1: Float, c2: Float) {
        let (b1, b2, eps, decay) = (beta1, beta2, epsilon, weightDecay)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeMutableBufferPointer { m in
                secondMoment.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        for i in view.range {
                            let j = offset + i - view.offset
                            let gi = g[i]
                            let mi = b1 * m[j] + (1 - b1) * gi
                            let vi = b2 * v[j] + (1 - b2) * gi * gi
                            m[j] = mi
                            v[j] = vi
                            let update = (mi / c1) / ((vi / c2).squareRoot() + eps)
                            theta[i] = (theta[i] - rate * update) * (1 - rate * decay)
                        }
                    }
                }
            }
        }
    }

    /// Low-rank moments, projector bases, and the vectors' full moments.
    public var stateBytes: Int {
        let bases = projectors.reduce(0) { $0 + ($1?.basis.count ?? 0) }
        return (firstMoment.count + secondMoment.count + bases) * MemoryLayout<Float>.size
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
