import Core
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
        /// Whether the tensor is a stack of `a` P × Q matrices (b = c = 1), the fast path.
        var isMatrixStack: Bool { factored && b == 1 && c == 1 }
        /// Blocks of at most `Adafactor.blockRows` rows of one matrix, over the stack.
        var rowBlockCount: Int { a * ((p + Adafactor.blockRows - 1) / Adafactor.blockRows) }
    }

    /// Rows per block of the matrix path's first pass. Blocks are summed separately and
    /// their partial sums added in block order, so the result does not depend on how
    /// many threads share the blocks.
    static let blockRows = 64

    let schedule: WarmupCosineSchedule
    let decayExponent: Double, epsilon: Float, clippingThreshold: Float
    let scaleByParameters: Bool
    let plans: [Plan]
    var state: [Float]
    var scratch: Scratch
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
        var plans: [Plan] = [], offset = 0, largestRow = 0, largestColumn = 0, largestBoth = 0, largestBlocks = 0
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
                if plan.isMatrixStack { largestBlocks = max(largestBlocks, plan.rowBlockCount) }
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
        scratch = Scratch(
            rows: largestRow, columns: largestColumn, means: largestBoth, blocks: largestBlocks,
            blockWidth: plans.filter(\.isMatrixStack).map(\.q).max() ?? 0)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        let rho = Float(1 - pow(Double(context.step + 1), -decayExponent))
        let rate = Float(schedule.learningRate(at: context.step))
        for plan in plans {
            if plan.isMatrixStack {
                matrixStep(plan, rho: rho, rate: rate, &parameters)
                continue
            }
            let squaredUpdate = plan.factored ? factoredUpdate(plan, rho: rho) : fullUpdate(plan, rho: rho)
            apply(plan, squaredUpdate: squaredUpdate, rate: rate, &parameters)
        }
    }

    typealias Lanes = SIMD16<Float>

    /// The whole step for a factored stack of `a` matrices P × Q (b = c = 1: linear and
    /// embedding weights), in two passes over memory instead of the general path's five:
    /// (1) the sums of G over each axis, Σθ² and, per column j, `W_j = Σ_i g_ij²/s_i` with
    /// s_i the row's own statistic after this step's update (each row is re-read from L1
    /// cache right after its sums give s_i); (2) θ ← θ − η·s·u/clip with u recomputed from
    /// the per-row and per-column factors. Σu² needs no pass of its own: u_ij² is
    /// g_ij²/s_i times a column factor f_j² (and, when the row factor carries R's mean,
    /// that mean), so Σu² = m·Σ_j f_j²·W_j. The arithmetic of u and of the update is the
    /// general path's, factor for factor; Σu², and so the clipping factor, is the same sum
    /// associated differently (it agrees to Float rounding). Both passes split over the
    /// trial's BLAS threads: the first by fixed blocks of `blockRows` rows whose partial
    /// column sums are added in block order, the second by rows, so the step is the same
    /// at any thread count.
    private mutating func matrixStep(_ plan: Plan, rho: Float, rate: Float, _ parameters: inout ParameterSet) {
        let (a, p, q) = (plan.a, plan.p, plan.q)
        let first = plan.largestFirst
        let eps = epsilon
        let (largestExtent, secondExtent) = first ? (Float(p), Float(q)) : (Float(q), Float(p))
        let n = Double(plan.view.count)
        let offset = plan.view.offset
        var thetaSquares = 0.0, updateSquares = 0.0
        state.withUnsafeMutableBufferPointer { s in
            scratch.withPointers { scratch in
                let (rows, columns, means, weighted) = (scratch.rows, scratch.columns, scratch.means, scratch.weighted)
                gradient.values.withUnsafeBufferPointer { gBuffer in
                    parameters.values.withUnsafeMutableBufferPointer { thetaBuffer in
                        let g = gBuffer.baseAddress! + offset, theta = thetaBuffer.baseAddress! + offset
                        // overP[ia·q + iq] = Σ_ip G, overQ[ia·p + ip] = Σ_iq G: the sums over
                        // d₀ are R's ("rows"), those over d₁ C's ("columns").
                        let overP = first ? rows : columns
                        let overQ = first ? columns : rows
                        // The statistic a row's factor depends on: C's entry when d₀ = P, else R's.
                        let (ownOffset, ownExtent) = first ? (plan.columnOffset, secondExtent) : (plan.rowOffset, largestExtent)
                        let blocksPerMatrix = (p + Self.blockRows - 1) / Self.blockRows
                        let pass = FirstPass(
                            g: g, theta: theta, ownStatistics: UnsafePointer(s.baseAddress! + ownOffset), rowSums: overQ,
                            blockSums: scratch.blockSums, blockWeighted: scratch.blockWeighted, blockTheta: scratch.blockTheta,
                            p: p, q: q, blocksPerMatrix: blocksPerMatrix, rho: rho, epsilon: eps, ownExtent: ownExtent)
                        let parts = plan.view.count >= 1 << 20 ? max(1, BLAS.threadCount) : 1
                        thetaSquares = Self.firstPass(pass, matrices: a, parts: parts, columnSums: overP, weightedSums: weighted)
                        for k in 0..<plan.bothCount { means[k] = 0 }
                        for k in 0..<plan.rowCount {
                            let r = rho * s[plan.rowOffset + k] + (1 - rho) * (rows[k] / largestExtent)
                            s[plan.rowOffset + k] = r
                            means[first ? k / q : k / p] += r / secondExtent
                        }
                        for k in 0..<plan.columnCount {
                            s[plan.columnOffset + k] = rho * s[plan.columnOffset + k] + (1 - rho) * (columns[k] / secondExtent)
                        }
                        // Per-column factors (along Q) replace the sums over P.
                        for ia in 0..<a {
                            for iq in 0..<q {
                                let k = ia * q + iq
                                overP[k] = first
                                    ? (means[ia] / s[plan.rowOffset + k]).squareRoot()
                                    : 1 / s[plan.columnOffset + k].squareRoot()
                            }
                        }
                        // Rows r = ia·p + ip: their factors; Σu² from the weighted column
                        // sums; then the update pass, split over threads by rows (rows are
                        // independent, so any split gives the same result).
                        let rows = a * p
                        var rowFactors = [Float](repeating: 0, count: rows)
                        for r in 0..<rows {
                            let (ia, k) = (r / p, r)
                            rowFactors[r] = first ? 1 / s[plan.columnOffset + k].squareRoot() : (means[ia] / s[plan.rowOffset + k]).squareRoot()
                        }
                        for ia in 0..<a {
                            let block = Self.dotOfSquares(overP + ia * q, weighted + ia * q, count: q)
                            updateSquares += first ? block : Double(means[ia]) * block
                        }
                        let clip = Float(max(1, (updateSquares / n).squareRoot() / Double(clippingThreshold)))
                        let rms = Float((thetaSquares / n).squareRoot())
                        let scale: Float = scaleByParameters ? (rms <= 1e-3 ? 1e-3 : rms) : 1
                        rowFactors.withUnsafeBufferPointer { factors in
                            let rowsOf = RowPointers(
                                g: g, theta: theta, columnFactors: UnsafePointer(overP), rowFactors: factors.baseAddress!)
                            ParallelRanges.forEach(rows, parts: parts) { range in
                                for r in range {
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

    /// A step's scratch space: the sums of G over d₀ ("rows") and over d₁ ("columns"), the
    /// means of R and, on the matrix path, the weighted column sums W and the first pass's
    /// partial sums per row block.
    struct Scratch {
        /// Pointers into the scratch arrays, valid inside `withPointers`.
        struct Pointers {
            let rows, columns, means, weighted: UnsafeMutablePointer<Float>
            let blockSums, blockWeighted: UnsafeMutablePointer<Float>
            let blockTheta: UnsafeMutablePointer<Double>
        }

        private var floats: [Float]
        private var doubles: [Double]
        private let offsets: (columns: Int, means: Int, weighted: Int, blockSums: Int, blockWeighted: Int)

        /// Room for factors of `rows`/`columns`/`means` entries and for `blocks` row blocks
        /// of matrices at most `blockWidth` wide.
        init(rows: Int, columns: Int, means: Int, blocks: Int, blockWidth: Int) {
            let weighted = rows + columns + means
            let blockSums = weighted + max(rows, columns)
            offsets = (rows, rows + columns, weighted, blockSums, blockSums + blocks * blockWidth)
            // At least one element each, so the buffers always have a base address.
            floats = [Float](repeating: 0, count: max(1, blockSums + 2 * blocks * blockWidth))
            doubles = [Double](repeating: 0, count: max(1, blocks))
        }

        mutating func withPointers<T>(_ body: (Pointers) -> T) -> T {
            let o = offsets
            return floats.withUnsafeMutableBufferPointer { f in
                doubles.withUnsafeMutableBufferPointer { d in
                    let base = f.baseAddress!
                    return body(Pointers(
                        rows: base, columns: base + o.columns, means: base + o.means, weighted: base + o.weighted,
                        blockSums: base + o.blockSums, blockWeighted: base + o.blockWeighted, blockTheta: d.baseAddress!))
                }
            }
        }
    }

    /// What the first pass of the matrix path reads and writes, handed to worker threads
    /// that touch disjoint rows and blocks.
    private struct FirstPass: @unchecked Sendable {
        let g: UnsafePointer<Float>, theta: UnsafePointer<Float>
        /// The rows' own statistics before this step (C's entries when d₀ = P, else R's).
        let ownStatistics: UnsafePointer<Float>
        /// Σ_q G of each row.
        let rowSums: UnsafeMutablePointer<Float>
        /// Per block: Σ over its rows of G and of g²/s_row per column, and of θ².
        let blockSums: UnsafeMutablePointer<Float>, blockWeighted: UnsafeMutablePointer<Float>
        let blockTheta: UnsafeMutablePointer<Double>
        let p: Int, q: Int, blocksPerMatrix: Int
        let rho: Float, epsilon: Float, ownExtent: Float
    }

    /// The first pass over `matrices` stacked matrices: the blocks on `parts` threads, then
    /// their partial sums added in block order into `columnSums` (Σ_P G per column) and
    /// `weightedSums` (W). Returns Σθ².
    private static func firstPass(
        _ pass: FirstPass, matrices: Int, parts: Int,
        columnSums: UnsafeMutablePointer<Float>, weightedSums: UnsafeMutablePointer<Float>
    ) -> Double {
        let q = pass.q
        ParallelRanges.forEach(matrices * pass.blocksPerMatrix, parts: parts) { blocks in
            for block in blocks { sumBlock(block, pass) }
        }
        var thetaSquares = 0.0
        for ia in 0..<matrices {
            let sums = columnSums + ia * q, weighted = weightedSums + ia * q
            sums.update(repeating: 0, count: q)
            weighted.update(repeating: 0, count: q)
            for block in (ia * pass.blocksPerMatrix)..<((ia + 1) * pass.blocksPerMatrix) {
                let partialSums = pass.blockSums + block * q, partialWeighted = pass.blockWeighted + block * q
                for j in 0..<q {
                    sums[j] += partialSums[j]
                    weighted[j] += partialWeighted[j]
                }
                thetaSquares += pass.blockTheta[block]
            }
        }
        return thetaSquares
    }

    /// `Σ_j f_j²·w_j` in Double: Σu² of one matrix from its column factors and W.
    private static func dotOfSquares(_ factors: UnsafePointer<Float>, _ weighted: UnsafePointer<Float>, count: Int) -> Double {
        var sum = 0.0
        for j in 0..<count { sum += Double(factors[j] * factors[j]) * Double(weighted[j]) }
        return sum
    }

    /// The first pass over one block of rows: each row's Σ G, and the block's partial
    /// column sums of G, of g²/s_row (s_row: the row's own statistic after this step's
    /// update, known once its Σ G is) and of θ².
    private static func sumBlock(_ block: Int, _ pass: FirstPass) {
        let (p, q) = (pass.p, pass.q)
        let ia = block / pass.blocksPerMatrix, start = (block % pass.blocksPerMatrix) * blockRows
        let sums = pass.blockSums + block * q, weighted = pass.blockWeighted + block * q
        sums.update(repeating: 0, count: q)
        weighted.update(repeating: 0, count: q)
        var thetaSquares = 0.0
        for ip in start..<min(p, start + blockRows) {
            let r = ia * p + ip, row = r * q
            let (gSum, thetaSum) = accumulateSquares(pass.g + row, pass.theta + row, count: q, epsilon: pass.epsilon, into: sums)
            pass.rowSums[r] = gSum
            thetaSquares += thetaSum
            let own = pass.rho * pass.ownStatistics[r] + (1 - pass.rho) * (gSum / pass.ownExtent)
            accumulateWeightedSquares(pass.g + row, weight: 1 / own, count: q, into: weighted)
        }
        pass.blockTheta[block] = thetaSquares
    }

    /// The buffers of the update pass, handed to worker threads that touch disjoint rows.
    private struct RowPointers: @unchecked Sendable {
        let g: UnsafePointer<Float>, theta: UnsafeMutablePointer<Float>
        let columnFactors: UnsafePointer<Float>, rowFactors: UnsafePointer<Float>
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

    /// `W_j += w·g_j²` over one row (the row is still in L1 cache from `accumulateSquares`).
    @inline(__always)
    private static func accumulateWeightedSquares(
        _ g: UnsafePointer<Float>, weight: Float, count: Int, into weighted: UnsafeMutablePointer<Float>
    ) {
        var j = 0
        while j + Lanes.scalarCount <= count {
            let gv = UnsafeRawPointer(g + j).loadUnaligned(as: Lanes.self)
            let sums = UnsafeRawPointer(weighted + j).loadUnaligned(as: Lanes.self) + weight * (gv * gv)
            UnsafeMutableRawPointer(weighted + j).storeBytes(of: sums, as: Lanes.self)
            j += Lanes.scalarCount
        }
        while j < count {
            weighted[j] += weight * (g[j] * g[j])
            j += 1
        }
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
            scratch.withPointers { scratch in
                let (rows, columns, means) = (scratch.rows, scratch.columns, scratch.means)
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
