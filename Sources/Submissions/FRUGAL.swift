import Core
import Foundation
import NN
import Tensor

/// FRUGAL: each weight matrix's gradient split into a state-full subspace (AdamW) and a
/// state-free complement (signSGD); linear warmup and cosine decay.
///
/// Zmushko et al., "FRUGAL: Memory-Efficient Optimization by Reducing State Overhead for
/// Scalable Training" (ICML 2025), with the reference code's coordinate (RandK-style)
/// projection over columns: for every tensor of rank ≥ 2 (`matrixShape` m × n), every T
/// steps a seeded random set C of ⌈ρ·n⌉ columns is drawn (`StableHash` seed of the tensor's
/// name and the redraw count) and the moments restart from zero with their bias-correction
/// count. Columns in C take AdamW: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `θ ← θ − η_t·(m̂/(√v̂ + ε) + λθ)` with t counted from the redraw; the other columns take
/// the state-free rule `θ ← θ − η_t·(s·sign(g) + λθ)` (s = `inactive_lr_scale`; with
/// `inactive_sgd` = 1, `s·g` instead). Tensors of rank < 2 are state-full AdamW, as in
/// the reference. Defaults: the paper's ρ = 0.25, T = 200, signSGD with scale 1 (its
/// pre-training setting), AdamW β = (0.9, 0.999), ε = 1e-8, and AdamW's learning rate.
/// The reference also offers SVD and blockwise projections; columns are chosen here
/// because ρ = 1 then recovers AdamW exactly (the test of the split).
public struct FRUGAL: Submission {
    public static let name = "frugal"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .feasiblePoints([0.1]),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-5, max: 0.1, scaling: .log),
        "density": .feasiblePoints([0.25]),
        "update_gap": .feasiblePoints([200]),
        "inactive_lr_scale": .range(min: 0.01, max: 1, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0, "density": 0.25,
        "update_gap": 200, "inactive_lr_scale": 1, "warmup_fraction": 0.05,
    ])

    /// One matrix: its state-full columns and where their moments live.
    struct Plan {
        let view: ParameterView
        let rows: Int, columns: Int
        /// Sorted state-full columns (stored as 32-bit indices).
        var active: [Int32]
        /// Moment slot of each column (−1: state-free), rebuilt at each redraw.
        var slot: [Int32]
        let momentOffset: Int
    }

    let schedule: WarmupCosineSchedule
    let epsilon: Float, weightDecay: Float
    let density: Double, inactiveScale: Float, inactiveSGD: Bool
    /// Redraws of the state-full columns, every `update_gap` steps.
    let redraws: ProjectionRefresh
    var plans: [Plan?]
    /// Moments of the state-full columns, restarted at each redraw.
    var columnMoments: MomentBuffers
    /// The vectors' AdamW moments.
    var vectors: VectorMoments
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        density = try hyperparameters.positive("density", default: 0.25)
        guard density <= 1 else { throw HyperparameterError.invalid(name: "density", value: density, expected: "a number in (0, 1]") }
        redraws = try ProjectionRefresh(hyperparameters: hyperparameters, name: "update_gap")
        inactiveScale = Float(try hyperparameters.nonNegative("inactive_lr_scale", default: 1))
        inactiveSGD = try hyperparameters.flag("inactive_sgd", default: false)
        var plans: [Plan?] = [], moments = 0
        for view in info.layout.views {
            guard view.shape.count >= 2 else {
                plans.append(nil)
                continue
            }
            let (m, n) = view.matrixShape
            let k = max(1, min(n, Int((density * Double(n)).rounded(.up))))
            plans.append(Plan(
                view: view, rows: m, columns: n, active: [Int32](repeating: 0, count: k),
                slot: [Int32](repeating: -1, count: n), momentOffset: moments))
            moments += m * k
        }
        self.plans = plans
        columnMoments = try MomentBuffers(hyperparameters: hyperparameters, count: moments)
        vectors = try VectorMoments(layout: info.layout, hyperparameters: hyperparameters)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        // The columns' moments restart at each redraw, so their corrections count from it.
        let decay = columnMoments.decay
        let columnCorrections = decay.corrections(afterSteps: redraws.stepsSinceRefresh(atStep: context.step))
        let vectorCorrections = decay.corrections(atStep: context.step)
        for index in plans.indices {
            if vectors.holds(index) {
                let (eps, weightDecay) = (epsilon, weightDecay)
                vectors.update(index, of: &parameters, gradient: gradient) { theta, m, v, g in
                    m = decay.first(m, g)
                    v = decay.second(v, g)
                    theta -= rate * (vectorCorrections.direction(m: m, v: v, epsilon: eps) + weightDecay * theta)
                }
            } else {
                if redraws.isDue(atStep: context.step) { redraw(index, count: redraws.period(atStep: context.step)) }
                matrixStep(index, &parameters, rate: rate, corrections: columnCorrections)
            }
        }
    }

    /// A fresh seeded set of state-full columns; their moments restart at zero.
    private mutating func redraw(_ index: Int, count: Int) {
        guard var plan = plans[index] else { return }
        let k = plan.active.count
        if k == plan.columns {
            for c in 0..<k { plan.active[c] = Int32(c) }
        } else {
            var generator = RandomGenerator("frugal.columns", .text(plan.view.name), .integer(count))
            let chosen = generator.permutation(plan.columns).prefix(k).sorted()
            for (c, column) in chosen.enumerated() { plan.active[c] = Int32(column) }
        }
        for c in 0..<plan.columns { plan.slot[c] = -1 }
        for (slot, column) in plan.active.enumerated() { plan.slot[Int(column)] = Int32(slot) }
        let base = plan.momentOffset, size = plan.rows * k
        for j in base..<(base + size) {
            columnMoments.first[j] = 0
            columnMoments.second[j] = 0
        }
        plans[index] = plan
    }

    private mutating func matrixStep(_ index: Int, _ parameters: inout ParameterSet, rate: Float, corrections: BiasCorrections) {
        guard let plan = plans[index] else { return }
        let (moments, eps, decay) = (columnMoments.decay, epsilon, weightDecay)
        let k = plan.active.count, n = plan.columns
        let inactive = rate * inactiveScale, useSGD = inactiveSGD
        parameters.values.withUnsafeMutableBufferPointer { theta in
            columnMoments.first.withUnsafeMutableBufferPointer { m in
                columnMoments.second.withUnsafeMutableBufferPointer { v in
                    gradient.values.withUnsafeBufferPointer { g in
                        plan.slot.withUnsafeBufferPointer { slot in
                            for row in 0..<plan.rows {
                                for column in 0..<n {
                                    let i = plan.view.offset + row * n + column
                                    let gi = g[i]
                                    let s = Int(slot[column])
                                    if s >= 0 {
                                        let j = plan.momentOffset + row * k + s
                                        let mi = moments.first(m[j], gi)
                                        let vi = moments.second(v[j], gi)
                                        m[j] = mi
                                        v[j] = vi
                                        theta[i] -= rate * (corrections.direction(m: mi, v: vi, epsilon: eps) + decay * theta[i])
                                    } else {
                                        let direction: Float = useSGD ? gi : gi.signum
                                        theta[i] -= inactive * direction + rate * decay * theta[i]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Moments of the state-full columns, their 32-bit indices and per-column slot table,
    /// and the vectors' moments.
    public var stateBytes: Int {
        let indices = plans.reduce(0) { $0 + ($1.map { $0.active.count + $0.slot.count } ?? 0) }
        return columnMoments.stateBytes + vectors.stateBytes
            + indices * MemoryLayout<Int32>.size
    }
}
