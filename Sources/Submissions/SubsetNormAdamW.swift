import Core
import NN

/// Subset-norm: one adaptive (AdaGrad/Adam) step size per subset of coordinates, so the
/// second moment of an m × n matrix costs max(m, n) numbers; linear warmup and cosine decay.
///
/// Nguyen, Nguyen, Ene & Nguyen, "Efficient Adaptive Optimization via Subset-Norm and
/// Subspace-Momentum: Fast, Memory-Reduced Training with Convergence Guarantees" (2024),
/// AdamW-SN as the authors' reference code. On every tensor of rank ≥ 2, with subsets S
/// from `SubsetPartition` (rows or columns, keeping the larger dimension; or contiguous
/// chunks of `subset_size`): `m ← β₁m + (1−β₁)g`, `v_S ← β₂v_S + (1−β₂)·Σ_{i∈S} g_i²`
/// (a sum, as the reference's default), `θ_i ← θ_i − η_t·((m_i/(1−β₁ᵗ))/(√(v_S/(1−β₂ᵗ)) + ε)
/// + λθ_i)`. With `adagrad` = 1 the paper's AdaGrad-SN accumulation `v_S ← v_S + Σ g_i²`
/// replaces the average (and its bias correction). Tensors of rank < 2 take plain AdamW,
/// as in the reference. Because v_S sums |S| squares, the per-coordinate step is about
/// 1/√|S| of Adam's; the default rate (1e-2) is AdamW's scaled up accordingly, with the
/// reference's β = (0.9, 0.999) and ε = 1e-8.
public struct SubsetNormAdamW: Submission {
    public static let name = "subset_norm"

    public static let searchSpace = SearchSpace.adamFamily(adding: [
        "learning_rate": .range(min: 1e-3, max: 1, scaling: .log), "weight_decay": .weightDecayRange,
    ])
    public static let defaultHyperparameters = Hyperparameters.adamFamilyDefaults(learningRate: 1e-2, adding: ["weight_decay": 0])

    let schedule: WarmupCosineSchedule
    let decay: MomentDecay
    let epsilon: Float, weightDecay: Float
    let adagrad: Bool
    /// The partition of each rank-≥2 view (nil: element-wise AdamW) and its offset in `secondMoment`.
    let partitions: [SubsetPartition?]
    let offsets: [Int]
    var firstMoment: [Float]
    var secondMoment: [Float]
    /// Σ g² per subset of the tensor being updated (scratch).
    var sums: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        decay = try MomentDecay(hyperparameters: hyperparameters)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        adagrad = try hyperparameters.flag("adagrad", default: false)
        let size = try hyperparameters.integer("subset_size", default: 0, in: 0...(1 << 30))
        var partitions: [SubsetPartition?] = [], offsets: [Int] = [], total = 0, largest = 0
        for view in info.layout.views {
            offsets.append(total)
            if view.shape.count >= 2 {
                let partition = SubsetPartition(view: view, requestedSize: size)
                partitions.append(partition)
                total += partition.count
                largest = max(largest, partition.count)
            } else {
                partitions.append(nil)
                total += view.count
            }
        }
        self.partitions = partitions
        self.offsets = offsets
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        secondMoment = [Float](repeating: 0, count: total)
        sums = [Float](repeating: 0, count: largest)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let corrections = decay.corrections(atStep: context.step)
        let adamW = AdamWStep(
            decay: decay, corrections: adagrad ? BiasCorrections(first: corrections.first, second: 1) : corrections,
            epsilon: epsilon, rate: rate, weightDecay: weightDecay)
        // AdaGrad: v ← 1·v + 1·Σg²; Adam: v ← β₂v + (1−β₂)Σg².
        let (keep, add) = adagrad ? (Float(1), Float(1)) : (decay.beta2, 1 - decay.beta2)
        let decay = decay
        for (index, view) in parameters.views.enumerated() {
            let offset = offsets[index]
            let partition = partitions[index]
            parameters.values.withUnsafeMutableBufferPointer { theta in
                firstMoment.withUnsafeMutableBufferPointer { m in
                    secondMoment.withUnsafeMutableBufferPointer { v in
                        sums.withUnsafeMutableBufferPointer { s in
                            gradient.values.withUnsafeBufferPointer { g in
                                if let partition {
                                    for k in 0..<partition.count { s[k] = 0 }
                                    for i in view.range {
                                        s[partition.subset(of: i - view.offset)] += g[i] * g[i]
                                    }
                                    for k in 0..<partition.count { v[offset + k] = keep * v[offset + k] + add * s[k] }
                                    for i in view.range {
                                        let mi = decay.first(m[i], g[i])
                                        m[i] = mi
                                        adamW.step(&theta[i], m: mi, v: v[offset + partition.subset(of: i - view.offset)])
                                    }
                                } else {
                                    for i in view.range {
                                        let gi = g[i]
                                        let j = offset + i - view.offset
                                        let (mi, vi) = (decay.first(m[i], gi), keep * v[j] + add * gi * gi)
                                        (m[i], v[j]) = (mi, vi)
                                        adamW.step(&theta[i], m: mi, v: vi)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Full first moment, one second moment per subset (per element on vectors).
    public var stateBytes: Int { (firstMoment.count + secondMoment.count) * MemoryLayout<Float>.size }
}
