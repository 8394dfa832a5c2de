import Core
import Dispatch
import Foundation
import NN
import Tensor

/// Adafactor: factored second moments, update clipping and relative step sizes; linear
/// warmup and cosine decay.
///
/// Shazeer & Stern, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost"
/// (ICML 2018), as optax's `adafactor` (no momentum, no weight decay). With
/// `ρ_t = 1 − t^(−0.8)` (`decay_rate` = 0.8) and `G = g² + ε` (ε = 1e-30):
/// for a tensor whose second-largest dimension is at least `min_dim_size_to_factor`,
/// with d₀ its largest and d₁ its second-largest axis, `R ← ρR + (1−ρ)·mean_{d₀}(G)`,
/// `C ← ρC + (1−ρ)·mean_{d₁}(G)`, `u = g·(R/mean_{d₁}(R))^(−½)·C^(−½)`; other tensors keep a
/// full `V ← ρV + (1−ρ)G`, `u = g·V^(−½)`. Then per tensor `u ← u/max(1, RMS(u)/d)`
/// (d = `clipping_threshold`, 1) and `θ ← θ − η_t·max(RMS(θ), 1e-3)·u`.
/// The paper adds ε₁ to g² the same way and uses the same clipping and relative step;
/// its step size is `min(1e-2, 1/√t)` where optax and this file take the scheduled η_t.
public struct Adafactor: Submission, OptaxConformant {
    public static let name = "adafactor"
    public static let optaxReference = "optax.adafactor"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-3, max: 1e-1, scaling: .log),
        "decay_rate": .feasiblePoints([0.8]),
        "clipping_threshold": .feasiblePoints([1]),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 1e-2, "decay_rate": 0.8, "clipping_threshold": 1, "warmup_fraction": 0.05,
    ])

    /// How one tensor is handled: as A × P × B × Q × C with P, Q the two factored axes
    /// (p < q), or unfactored.
    struct Plan {
        let view: ParameterView
        let factored: Bool
        let a: Int, p: Int, b: Int, q: Int, c: Int
        /// Whether the largest axis d₀ is the earlier factored axis.
        let largestFirst: Bool
        /// Offsets of this tensor's R, C (factored) or V (unfactored) in `state`.
        let rowOffset: Int, columnOffset: Int
        var rowCount: Int { largestFirst ? a * b * q * c : a * p * b * c }
        var columnCount: Int { largestFirst ? a * p * b * c : a * b * q * c }
        var bothCount: Int { a * b * c }
    }

    let schedule: WarmupCosineSchedule
    let decayExponent: Double, epsilon: Float, clippingThreshold: Float
    let scaleByParameters: Bool
    let plans: [Plan]
    var state: [Float]
    var rowSums: [Float], columnSums: [Float], rowMeans: [Float]
    /// Holds the gradient, then the unscaled update.
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        decayExponent = try hyperparameters.positive("decay_rate", default: 0.8)
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-30))
        clippingThreshold = Float(try hyperparameters.positive("clipping_threshold", default: 1))
        scaleByParameters = try hyperparameters.flag("multiply_by_parameter_scale", default: true)
        let factor = try hyperparameters.flag("factored", default: true)
        let minimumSize = Int(try hyperparameters.nonNegative("min_dim_size_to_factor", default: 128))
        var plans: [Plan] = [], offset = 0, largestRow = 0, largestColumn = 0, largestBoth = 0
        for view in info.layout.views {
            let shape = view.shape
            // Stable sort of axes by size: d₀ = last, d₁ = second last (numpy's argsort on ties).
            let order = shape.indices.sorted { shape[$0] != shape[$1] ? shape[$0] < shape[$1] : $0 < $1 }
            if factor, shape.count >= 2, shape[order[order.count - 2]] >= minimumSize {
                let d0 = order[order.count - 1], d1 = order[order.count - 2]
                let (p, q) = (min(d0, d1), max(d0, d1))
                let product = { (range: Range<Int>) in range.isEmpty ? 1 : shape[range].reduce(1, *) }
                var plan = Plan(
                    view: view, factored: true, a: product(0..<p), p: shape[p], b: product((p + 1)..<q), q: shape[q],
                    c: product((q + 1)..<shape.count), largestFirst: d0 == p, rowOffset: offset, columnOffset: 0)
                plan = Plan(
                    view: view, factored: true, a: plan.a, p: plan.p, b: plan.b, q: plan.q, c: plan.c,
                    largestFirst: plan.largestFirst, rowOffset: offset, columnOffset: offset + plan.rowCount)
                offset += plan.rowCount + plan.columnCount
                largestRow = max(largestRow, plan.rowCount)
                largestColumn = max(largestColumn, plan.columnCount)
                largestBoth = max(largestBoth, plan.bothCount)
                plans.append(plan)
            } else {
                plans.append(Plan(
                    view: view, factored: false, a: 1, p: 1, b: 1, q: 1, c: view.count, largestFirst: true,
                    rowOffset: offset, columnOffset: offset))
                offset += view.count
            }
        }
        self.plans = plans
        state = [Float](repeating: 0, count: offset)
        rowSums = [Float](repeating: 0, count: largestRow)
        columnSums = [Float](repeating: 0, count: largestColumn)
        rowMeans = [Float](repeating: 0, count: largestBoth)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rho = Float(1 - pow(Double(context.step + 1), -decayExponent))
        let rate = Float(schedule.learningRate(at: context.step))
        for plan in plans {
            if plan.factored && plan.b == 1 && plan.c == 1 {
                matrixStep(plan, rho: rho, rate: rate, &parameters)
                continue
            }
            let squaredUpdate = plan.factored ? factoredUpdate(plan, rho: rho) : fullUpdate(plan, rho: rho)
            apply(plan, squaredUpdate: squaredUpdate, rate: rate, &parameters)
        }
    }

    typealias Lanes = SIMD16<Float>

    /// The whole step for a factored stack of `a` matrices P × Q (b = c = 1: linear and
    /// embedding weights), in three passes over memory instead of the general path's
    /// five: (1) the sums of G over each axis and Σθ², (2) Σu², (3) θ ← θ − η·s·u/clip with u
    /// recomputed from the per-row and per-column factors. The arithmetic of u and of
    /// the update is the general path's, factor for factor.
    private mutating func matrixStep(_ plan: Plan, rho: Float, rate: Float, _ parameters: inout ParameterSet) {
        let (a, p, q) = (plan.a, plan.p, plan.q)
        let first = plan.largestFirst
        let eps = epsilon
        let (largestExtent, secondExtent) = first ? (Float(p), Float(q)) : (Float(q), Float(p))
        let n = Double(plan.view.count)
        let offset = plan.view.offset
        var thetaSquares = 0.0, updateSquares = 0.0
        state.withUnsafeMutableBufferPointer { s in
            rowSums.withUnsafeMutableBufferPointer { rows in
                columnSums.withUnsafeMutableBufferPointer { columns in
                    rowMeans.withUnsafeMutableBufferPointer { means in
                        gradient.values.withUnsafeBufferPointer { gBuffer in
                            parameters.values.withUnsafeMutableBufferPointer { thetaBuffer in
                                let g = gBuffer.baseAddress! + offset, theta = thetaBuffer.baseAddress! + offset
                                // overP[ia·q + iq] = Σ_ip G, overQ[ia·p + ip] = Σ_iq G: the sums over
                                // d₀ are R's ("rows"), those over d₁ C's ("columns").
                                let overP = first ? rows.baseAddress! : columns.baseAddress!
                                let overQ = first ? columns.baseAddress! : rows.baseAddress!
                                for ia in 0..<a {
                                    let sumsOverP = overP + ia * q
                                    sumsOverP.update(repeating: 0, count: q)
                                    for ip in 0..<p {
                                        let row = ia * p * q + ip * q
                                        let (gSum, thetaSum) = Self.accumulateSquares(g + row, theta + row, count: q, epsilon: eps, into: sumsOverP)
                                        overQ[ia * p + ip] = gSum
                                        thetaSquares += thetaSum
                                    }
                                }
                                for k in 0..<plan.bothCount { means[k] = 0 }
                                for k in 0..<plan.rowCount {
                                    let r = rho * s[plan.rowOffset + k] + (1 - rho) * (rows[k] / largestExtent)
                                    s[plan.rowOffset + k] = r
                                    means[first ? k / q : k / p] += r / secondExtent
                                }
                                for k in 0..<plan.columnCount {
                                    s[plan.columnOffset + k] = rho * s[plan.columnOffset + k] + (1 - rho) * (columns[k] / secondExtent)
                                }
                                // Per-column factors (along Q) replace the sums over P; per-row
                                // factors (along P) are computed as each row is visited.
                                for ia in 0..<a {
                                    for iq in 0..<q {
                                        let k = ia * q + iq
                                        overP[k] = first
                                            ? (means[ia] / s[plan.rowOffset + k]).squareRoot()
                                            : 1 / s[plan.columnOffset + k].squareRoot()
                                    }
                                }
                                // Rows r = ia·p + ip: their factors, then passes 2 and 3 split over
                                // threads by rows (Σu² summed row by row in order, so any split
                                // gives the same result).
                                let rows = a * p
                                var rowFactors = [Float](repeating: 0, count: rows)
                                for r in 0..<rows {
                                    let (ia, k) = (r / p, r)
                                    rowFactors[r] = first ? 1 / s[plan.columnOffset + k].squareRoot() : (means[ia] / s[plan.rowOffset + k]).squareRoot()
                                }
                                var rowSquares = [Double](repeating: 0, count: rows)
                                let parts = plan.view.count >= 1 << 20 ? max(1, min(BLAS.threadCount, rows)) : 1
                                rowFactors.withUnsafeBufferPointer { factors in
                                    rowSquares.withUnsafeMutableBufferPointer { squares in
                                        let rowsOf = RowPointers(
                                            g: g, theta: theta, columnFactors: UnsafePointer(overP), rowFactors: factors.baseAddress!,
                                            rowSquares: squares.baseAddress!)
                                        Self.forEachRow(rows, parts: parts) { r in
                                            rowsOf.rowSquares[r] = Self.updateSquares(
                                                rowsOf.g + r * q, columnFactors: rowsOf.columnFactors + (r / p) * q,
                                                rowFactor: rowsOf.rowFactors[r], count: q, rowFirst: !first)
                                        }
                                        for r in 0..<rows { updateSquares += squares[r] }
                                        let clip = Float(max(1, (updateSquares / n).squareRoot() / Double(clippingThreshold)))
                                        let rms = Float((thetaSquares / n).squareRoot())
                                        let scale: Float = scaleByParameters ? (rms <= 1e-3 ? 1e-3 : rms) : 1
                                        Self.forEachRow(rows, parts: parts) { r in
                                            Self.applyRow(
                                                rowsOf.g + r * q, columnFactors: rowsOf.columnFactors + (r / p) * q,
                                                rowFactor: rowsOf.rowFactors[r], count: q, rowFirst: !first, rate: rate, clip: clip,
                                                scale: scale, rowsOf.theta + r * q)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The buffers of passes 2 and 3, handed to worker threads that touch disjoint rows.
    private struct RowPointers: @unchecked Sendable {
        let g: UnsafePointer<Float>, theta: UnsafeMutablePointer<Float>
        let columnFactors: UnsafePointer<Float>, rowFactors: UnsafePointer<Float>
        let rowSquares: UnsafeMutablePointer<Double>
    }

    /// `body(r)` for every row r in `0..<rows`, in `parts` contiguous ranges at once.
    private static func forEachRow(_ rows: Int, parts: Int, _ body: @Sendable (Int) -> Void) {
        guard parts > 1 else {
            for r in 0..<rows { body(r) }
            return
        }
        let share = (rows + parts - 1) / parts
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            for r in min(rows, part * share)..<min(rows, (part + 1) * share) { body(r) }
        }
    }

    /// Adds `g² + ε` of one row to `columnSums` and returns the row's sum of `g² + ε`
    /// and of `θ²` (lane-wise in Float, the lanes summed in Double).
    @inline(__always)
    private static func accumulateSquares(
        _ g: UnsafePointer<Float>, _ theta: UnsafePointer<Float>, count: Int, epsilon: Float,
        into columnSums: UnsafeMutablePointer<Float>
    ) -> (Float, Double) {
        var gLanes = Lanes(), thetaLanes = Lanes()
        var j = 0
        while j + Lanes.scalarCount <= count {
            let gv = UnsafeRawPointer(g + j).loadUnaligned(as: Lanes.self)
            let tv = UnsafeRawPointer(theta + j).loadUnaligned(as: Lanes.self)
            let square = gv * gv + epsilon
            let sums = UnsafeRawPointer(columnSums + j).loadUnaligned(as: Lanes.self) + square
            UnsafeMutableRawPointer(columnSums + j).storeBytes(of: sums, as: Lanes.self)
            gLanes += square
            thetaLanes += tv * tv
            j += Lanes.scalarCount
        }
        var gSum = gLanes.sum(), thetaSum = Double(thetaLanes.sum())
        while j < count {
            let square = g[j] * g[j] + epsilon
            columnSums[j] += square
            gSum += square
            thetaSum += Double(theta[j]) * Double(theta[j])
            j += 1
        }
        return (gSum, thetaSum)
    }

    /// u of one row: `g·f_row·f_col` when the row's factor comes first (it is R's), else
    /// `g·f_col·f_row`, as in the general path.
    @inline(__always)
    private static func update(_ g: Lanes, _ column: Lanes, _ row: Float, rowFirst: Bool) -> Lanes {
        rowFirst ? g * row * column : g * column * row
    }

    /// Σu² of one row (lane-wise in Float, summed in Double).
    @inline(__always)
    private static func updateSquares(
        _ g: UnsafePointer<Float>, columnFactors: UnsafePointer<Float>, rowFactor: Float, count: Int, rowFirst: Bool
    ) -> Double {
        var lanes = Lanes()
        var j = 0
        while j + Lanes.scalarCount <= count {
            let u = update(
                UnsafeRawPointer(g + j).loadUnaligned(as: Lanes.self),
                UnsafeRawPointer(columnFactors + j).loadUnaligned(as: Lanes.self), rowFactor, rowFirst: rowFirst)
            lanes += u * u
            j += Lanes.scalarCount
        }
        var sum = Double(lanes.sum())
        while j < count {
            let u = rowFirst ? g[j] * rowFactor * columnFactors[j] : g[j] * columnFactors[j] * rowFactor
            sum += Double(u) * Double(u)
            j += 1
        }
        return sum
    }

    /// `θ ← θ − (η·(u/clip))·s` for one row.
    @inline(__always)
    private static func applyRow(
        _ g: UnsafePointer<Float>, columnFactors: UnsafePointer<Float>, rowFactor: Float, count: Int, rowFirst: Bool,
        rate: Float, clip: Float, scale: Float, _ theta: UnsafeMutablePointer<Float>
    ) {
        var j = 0
        while j + Lanes.scalarCount <= count {
            let u = update(
                UnsafeRawPointer(g + j).loadUnaligned(as: Lanes.self),
                UnsafeRawPointer(columnFactors + j).loadUnaligned(as: Lanes.self), rowFactor, rowFirst: rowFirst)
            let t = UnsafeRawPointer(theta + j).loadUnaligned(as: Lanes.self) - (rate * (u / clip)) * scale
            UnsafeMutableRawPointer(theta + j).storeBytes(of: t, as: Lanes.self)
            j += Lanes.scalarCount
        }
        while j < count {
            let u = rowFirst ? g[j] * rowFactor * columnFactors[j] : g[j] * columnFactors[j] * rowFactor
            theta[j] -= (rate * (u / clip)) * scale
            j += 1
        }
    }

    /// Unfactored second moment; writes u into `gradient`, returns Σu².
    private mutating func fullUpdate(_ plan: Plan, rho: Float) -> Double {
        let eps = epsilon
        var sum = 0.0
        state.withUnsafeMutableBufferPointer { v in
            gradient.values.withUnsafeMutableBufferPointer { g in
                for i in plan.view.range {
                    let gi = g[i]
                    let j = plan.rowOffset + i - plan.view.offset
                    let vi = rho * v[j] + (1 - rho) * (gi * gi + eps)
                    v[j] = vi
                    let u = gi / vi.squareRoot()
                    g[i] = u
                    sum += Double(u) * Double(u)
                }
            }
        }
        return sum
    }

    /// Factored second moment; writes u into `gradient`, returns Σu².
    private mutating func factoredUpdate(_ plan: Plan, rho: Float) -> Double {
        let (a, p, b, q, c) = (plan.a, plan.p, plan.b, plan.q, plan.c)
        let first = plan.largestFirst
        let eps = epsilon
        let (largestExtent, secondExtent) = first ? (Float(p), Float(q)) : (Float(q), Float(p))
        var sum = 0.0
        state.withUnsafeMutableBufferPointer { s in
            rowSums.withUnsafeMutableBufferPointer { rows in
                columnSums.withUnsafeMutableBufferPointer { columns in
                    rowMeans.withUnsafeMutableBufferPointer { means in
                        gradient.values.withUnsafeMutableBufferPointer { g in
                            for k in 0..<plan.rowCount { rows[k] = 0 }
                            for k in 0..<plan.columnCount { columns[k] = 0 }
                            for k in 0..<plan.bothCount { means[k] = 0 }
                            // Sums of G over d₀ (rows) and over d₁ (columns).
                            var i = plan.view.offset
                            for ia in 0..<a { for ip in 0..<p { for ib in 0..<b { for iq in 0..<q { for ic in 0..<c {
                                let square = g[i] * g[i] + eps
                                let withoutP = ((ia * b + ib) * q + iq) * c + ic
                                let withoutQ = ((ia * p + ip) * b + ib) * c + ic
                                rows[first ? withoutP : withoutQ] += square
                                columns[first ? withoutQ : withoutP] += square
                                i += 1
                            } } } } }
                            for k in 0..<plan.rowCount {
                                let r = rho * s[plan.rowOffset + k] + (1 - rho) * (rows[k] / largestExtent)
                                s[plan.rowOffset + k] = r
                                // Index of k with both factored axes removed (its d₁ coordinate dropped).
                                let both = first ? (k / (q * c)) * c + k % c : (k / (p * b * c)) * (b * c) + k % (b * c)
                                means[both] += r / secondExtent
                            }
                            for k in 0..<plan.columnCount {
                                s[plan.columnOffset + k] = rho * s[plan.columnOffset + k] + (1 - rho) * (columns[k] / secondExtent)
                            }
                            i = plan.view.offset
                            for ia in 0..<a { for ip in 0..<p { for ib in 0..<b { for iq in 0..<q { for ic in 0..<c {
                                let withoutP = ((ia * b + ib) * q + iq) * c + ic
                                let withoutQ = ((ia * p + ip) * b + ib) * c + ic
                                let both = (ia * b + ib) * c + ic
                                let row = s[plan.rowOffset + (first ? withoutP : withoutQ)]
                                let column = s[plan.columnOffset + (first ? withoutQ : withoutP)]
                                let u = g[i] * (means[both] / row).squareRoot() * (1 / column.squareRoot())
                                g[i] = u
                                sum += Double(u) * Double(u)
                                i += 1
                            } } } } }
                        }
                    }
                }
            }
        }
        return sum
    }

    /// Clips u by its RMS, scales by the rate and the parameters' RMS, and applies it.
    private func apply(_ plan: Plan, squaredUpdate: Double, rate: Float, _ parameters: inout ParameterSet) {
        let n = Double(plan.view.count)
        let clip = Float(max(1, (squaredUpdate / n).squareRoot() / Double(clippingThreshold)))
        var scale: Float = 1
        if scaleByParameters {
            var squares = 0.0
            parameters.withUnsafeBufferPointer(plan.view) { theta in
                for x in theta { squares += Double(x) * Double(x) }
            }
            let rms = Float((squares / n).squareRoot())
            scale = rms <= 1e-3 ? 1e-3 : rms
        }
        gradient.values.withUnsafeBufferPointer { u in
            parameters.values.withUnsafeMutableBufferPointer { theta in
                for i in plan.view.range { theta[i] -= (rate * (u[i] / clip)) * scale }
            }
        }
    }

    public var stateBytes: Int { state.count * MemoryLayout<Float>.size }

    public static func conformanceHyperparameters(optaxArguments a: inout OptaxArguments) throws -> Hyperparameters {
        try a.require("decay_offset", is: .number(0), optaxDefault: .number(0))
        try a.require("momentum", is: .null, optaxDefault: .null)
        try a.require("weight_decay_rate", is: .null, optaxDefault: .null)
        try a.require("weight_decay_mask", is: .null, optaxDefault: .null)
        guard let threshold = try a.optionalNumber("clipping_threshold") ?? (a.names.contains("clipping_threshold") ? nil : 1) else {
            throw InputError(source: a.source, field: "kwargs.clipping_threshold", message: "= null (no clipping) is not supported")
        }
        return Hyperparameters([
            "learning_rate": try OptaxMapping.learningRate(&a),
            "min_dim_size_to_factor": try a.number("min_dim_size_to_factor", default: 128),
            "decay_rate": try a.number("decay_rate", default: 0.8),
            "clipping_threshold": threshold,
            "multiply_by_parameter_scale": try a.bool("multiply_by_parameter_scale", default: true) ? 1 : 0,
            "factored": try a.bool("factored", default: true) ? 1 : 0,
            "epsilon": try a.number("eps", default: 1e-30),
        ])
    }
}
