import Core
import NN

/// SM3 (square-root of minima of sums of maxima) with momentum, linear warmup and cosine decay.
///
/// Anil, Gupta, Koren & Singer, "Memory-Efficient Adaptive Optimization" (NeurIPS 2019),
/// SM3-II, as optax's `sm3`: a tensor of rank k ≥ 2 keeps one accumulator vector per axis,
/// `μ_r` (length `shape[r]`); each step `ν = g² + min_r μ_r[i_r]` elementwise,
/// `μ_r[j] ← max_{i: i_r = j} ν_i`, `u = g/√(ν + ε)` (0 where ν = 0),
/// `m ← βm + (1−β)u`, `θ ← θ − η_t·m`. Vectors keep a full accumulator (Adagrad).
/// The paper's momentum variant is the same; optax's ε (1e-8) sits inside the root.
public struct SM3: Submission, OptaxConformant {
    public static let name = "sm3"
    public static let optaxReference = "optax.sm3"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-3, max: 1, scaling: .log),
        "one_minus_momentum": .range(min: 0.01, max: 0.2, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 0.1, "one_minus_momentum": 0.1, "warmup_fraction": 0.05,
    ])

    /// One tensor's accumulators: `offsets[r]` is where axis r's vector starts in `accumulators`.
    struct Plan {
        let view: ParameterView
        let shape: [Int]
        let offsets: [Int]
    }

    let schedule: WarmupCosineSchedule
    let momentumDecay: Float, epsilon: Float
    let plans: [Plan]
    var accumulators: [Float]
    var nextAccumulators: [Float]
    var momentum: [Float]
    var coordinates: [Int]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        momentumDecay = Float(try hyperparameters.decayRate(oneMinus: "one_minus_momentum"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        var plans: [Plan] = [], total = 0, rank = 1
        for view in info.layout.views {
            // Rank < 2: one full accumulator, i.e. a single "axis" spanning the tensor.
            let shape = view.shape.count >= 2 ? view.shape : [view.count]
            var offsets: [Int] = []
            for extent in shape {
                offsets.append(total)
                total += extent
            }
            rank = max(rank, shape.count)
            plans.append(Plan(view: view, shape: shape, offsets: offsets))
        }
        self.plans = plans
        accumulators = [Float](repeating: 0, count: total)
        nextAccumulators = accumulators
        momentum = [Float](repeating: 0, count: info.layout.count)
        coordinates = [Int](repeating: 0, count: rank)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        let (beta, eps) = (momentumDecay, epsilon)
        for k in 0..<nextAccumulators.count { nextAccumulators[k] = 0 }
        for plan in plans {
            let rank = plan.shape.count
            parameters.values.withUnsafeMutableBufferPointer { theta in
                momentum.withUnsafeMutableBufferPointer { m in
                    gradient.values.withUnsafeBufferPointer { g in
                        accumulators.withUnsafeBufferPointer { old in
                            nextAccumulators.withUnsafeMutableBufferPointer { new in
                                coordinates.withUnsafeMutableBufferPointer { index in
                                    for r in 0..<rank { index[r] = 0 }
                                    for i in plan.view.range {
                                        var smallest = Float.infinity
                                        for r in 0..<rank { smallest = min(smallest, old[plan.offsets[r] + index[r]]) }
                                        let gi = g[i]
                                        let nu = gi * gi + smallest
                                        for r in 0..<rank {
                                            let slot = plan.offsets[r] + index[r]
                                            new[slot] = max(new[slot], nu)
                                        }
                                        let u = nu > 0 ? gi / (nu + eps).squareRoot() : 0
                                        let mi = beta * m[i] + (1 - beta) * u
                                        m[i] = mi
                                        theta[i] -= rate * mi
                                        // Advance the row-major coordinates.
                                        var r = rank - 1
                                        while r >= 0 {
                                            index[r] += 1
                                            if index[r] < plan.shape[r] { break }
                                            index[r] = 0
                                            r -= 1
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        swap(&accumulators, &nextAccumulators)
    }

    public var stateBytes: Int { (accumulators.count + momentum.count) * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "one_minus_momentum": 1 - (try a.number("momentum", default: 0.9)),
        ])
    }
}
