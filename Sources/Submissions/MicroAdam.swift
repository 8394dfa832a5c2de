import Core
import Foundation
import NN

/// MicroAdam: Adam statistics rebuilt each step from a sliding window of top-k compressed
/// gradients, with a 4-bit quantised error feedback; linear warmup and cosine decay.
///
/// Modoranu et al., "MicroAdam: Accurate Adaptive Optimization with Low Space Overhead and
/// Provable Convergence" (NeurIPS 2024), Algorithm 1, per tensor: `a = g + Q⁻¹(e)`; the
/// k = ⌈density·size⌉ coordinates of largest |a| (ties: lower index) are stored as
/// (index, value) in a ring buffer of the last `window` steps; `a[I] ← 0` and
/// `e ← Q(a)`, where Q quantises blocks of 64 to 4 bits uniformly between the block's
/// minimum and maximum (round to nearest; the paper's buckets likewise). Then
/// `m̂ = (1−β₁)/(1−β₁ᵗ)·Σ_j β₁^{age_j}·scatter(I_j, V_j)`,
/// `v̂ = (1−β₂)/(1−β₂ᵗ)·Σ_j β₂^{age_j}·scatter(I_j, V_j²)` over the window (age 0 = this step),
/// `θ ← θ − η_t·(m̂/(ε + √v̂) + λθ)`. Indices are stored as 32-bit integers and values as
/// Float (the reference packs them in 16 bits). Defaults: the paper's density 1%, window
/// 10, β = (0.9, 0.999), ε = 1e-8, with AdamW's learning rate.
public struct MicroAdam: Submission {
    public static let name = "microadam"
    static let blockSize = 64

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .feasiblePoints([0.1]),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-5, max: 0.5, scaling: .log),
        "density": .feasiblePoints([0.01]),
        "window": .feasiblePoints([10]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0, "density": 0.01,
        "window": 10, "warmup_fraction": 0.05,
    ])

    /// Where one tensor's window and error live.
    struct Plan {
        let view: ParameterView
        let k: Int
        /// Offsets in the window arrays (window · k entries) and in the packed error (bytes).
        let windowOffset: Int, errorOffset: Int, blockOffset: Int
        var blocks: Int { (view.count + MicroAdam.blockSize - 1) / MicroAdam.blockSize }
    }

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    let window: Int
    let plans: [Plan]
    /// Ring buffer of (index, value) pairs: slot s of tensor p at `p.windowOffset + s·k`.
    var windowIndices: [Int32], windowValues: [Float]
    /// 4-bit error codes, two per byte, and each block's (minimum, maximum).
    var errorCodes: [UInt8], errorRanges: [Float]
    /// Scratch: the accumulator, the order of its magnitudes, and the two statistics.
    var accumulator: [Float], order: [Int32], first: [Float], second: [Float]
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        window = try hyperparameters.integer("window", default: 10, in: 1...1000)
        let density = try hyperparameters.positive("density", default: 0.01)
        guard density <= 1 else { throw HyperparameterError.invalid(name: "density", value: density, expected: "a number in (0, 1]") }
        var plans: [Plan] = [], entries = 0, bytes = 0, blocks = 0, largest = 0
        for view in info.layout.views {
            let k = max(1, min(view.count, Int((density * Double(view.count)).rounded(.up))))
            let plan = Plan(view: view, k: k, windowOffset: entries, errorOffset: bytes, blockOffset: blocks)
            plans.append(plan)
            entries += window * k
            bytes += (view.count + 1) / 2
            blocks += plan.blocks
            largest = max(largest, view.count)
        }
        self.plans = plans
        windowIndices = [Int32](repeating: 0, count: entries)
        windowValues = [Float](repeating: 0, count: entries)
        errorCodes = [UInt8](repeating: 0, count: bytes)
        errorRanges = [Float](repeating: 0, count: 2 * blocks)
        accumulator = [Float](repeating: 0, count: largest)
        order = [Int32](repeating: 0, count: largest)
        first = accumulator
        second = accumulator
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rate = Float(schedule.learningRate(at: context.step))
        for plan in plans {
            compress(plan, step: context.step)
            update(plan, &parameters, step: context.step, rate: rate)
        }
    }

    /// The dequantised error of coordinate `i` (within the tensor).
    @inline(__always)
    static func errorValue(_ codes: UnsafeMutableBufferPointer<UInt8>, _ ranges: UnsafeMutableBufferPointer<Float>, plan: Plan, _ i: Int) -> Float {
        let byte = codes[plan.errorOffset + i / 2]
        let code = i % 2 == 0 ? byte & 0x0F : byte >> 4
        let block = plan.blockOffset + i / blockSize
        let low = ranges[2 * block], high = ranges[2 * block + 1]
        return low + (high - low) * Float(code) / 15
    }

    /// a = g + Q⁻¹(e); top-k of |a| into this step's window slot; e ← Q(a with the top-k zeroed).
    private mutating func compress(_ plan: Plan, step: Int) {
        let n = plan.view.count, k = plan.k
        let slot = plan.windowOffset + (step % window) * k
        let blockSize = Self.blockSize
        accumulator.withUnsafeMutableBufferPointer { a in
            order.withUnsafeMutableBufferPointer { order in
                errorCodes.withUnsafeMutableBufferPointer { codes in
                    errorRanges.withUnsafeMutableBufferPointer { ranges in
                        gradient.values.withUnsafeBufferPointer { g in
                            for i in 0..<n { a[i] = g[plan.view.offset + i] + Self.errorValue(codes, ranges, plan: plan, i) }
                            for i in 0..<n { order[i] = Int32(i) }
                            // Largest magnitudes first, lower index on ties.
                            let magnitudes = UnsafeMutableBufferPointer(rebasing: a[0..<n])
                            var head = UnsafeMutableBufferPointer(rebasing: order[0..<n])
                            head.sort { x, y in
                                let (mx, my) = (abs(magnitudes[Int(x)]), abs(magnitudes[Int(y)]))
                                return mx != my ? mx > my : x < y
                            }
                            windowIndices.withUnsafeMutableBufferPointer { indices in
                                windowValues.withUnsafeMutableBufferPointer { values in
                                    for j in 0..<k {
                                        let i = Int(order[j])
                                        indices[slot + j] = Int32(i)
                                        values[slot + j] = a[i]
                                        a[i] = 0
                                    }
                                }
                            }
                            // 4-bit uniform quantisation of the remaining error, block by block.
                            for block in 0..<plan.blocks {
                                let range = (block * blockSize)..<min(n, (block + 1) * blockSize)
                                var low = Float.infinity, high = -Float.infinity
                                for i in range {
                                    low = min(low, a[i])
                                    high = max(high, a[i])
                                }
                                ranges[2 * (plan.blockOffset + block)] = low
                                ranges[2 * (plan.blockOffset + block) + 1] = high
                                let steps = high > low ? 15 / (high - low) : 0
                                for i in range {
                                    let code = UInt8(min(15, max(0, ((a[i] - low) * steps).rounded())))
                                    let byte = plan.errorOffset + i / 2
                                    codes[byte] = i % 2 == 0 ? (codes[byte] & 0xF0) | code : (codes[byte] & 0x0F) | (code << 4)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// m̂, v̂ from the window, then the Adam step on the whole tensor.
    private mutating func update(_ plan: Plan, _ parameters: inout ParameterSet, step: Int, rate: Float) {
        let n = plan.view.count, k = plan.k
        let (b1, b2, eps, decay) = (beta1, beta2, epsilon, weightDecay)
        let t = Double(step + 1)
        let scale1 = (1 - b1) / Float(1 - pow(Double(b1), t)), scale2 = (1 - b2) / Float(1 - pow(Double(b2), t))
        let filled = min(step + 1, window)
        first.withUnsafeMutableBufferPointer { z1 in
            second.withUnsafeMutableBufferPointer { z2 in
                for i in 0..<n {
                    z1[i] = 0
                    z2[i] = 0
                }
                windowIndices.withUnsafeBufferPointer { indices in
                    windowValues.withUnsafeBufferPointer { values in
                        for age in 0..<filled {
                            let slot = plan.windowOffset + ((step - age) % window) * k
                            let w1 = Float(pow(Double(b1), Double(age))), w2 = Float(pow(Double(b2), Double(age)))
                            for j in 0..<k {
                                let i = Int(indices[slot + j]), x = values[slot + j]
                                z1[i] += w1 * x
                                z2[i] += w2 * x * x
                            }
                        }
                    }
                }
                parameters.values.withUnsafeMutableBufferPointer { theta in
                    for i in 0..<n {
                        let j = plan.view.offset + i
                        let m = scale1 * z1[i], v = scale2 * z2[i]
                        theta[j] -= rate * (m / (eps + v.squareRoot()) + decay * theta[j])
                    }
                }
            }
        }
    }

    /// The window (32-bit index and Float value per entry), the packed 4-bit error and
    /// each block's two range Floats.
    public var stateBytes: Int {
        windowIndices.count * MemoryLayout<Int32>.size + windowValues.count * MemoryLayout<Float>.size
            + errorCodes.count + errorRanges.count * MemoryLayout<Float>.size
    }
}
