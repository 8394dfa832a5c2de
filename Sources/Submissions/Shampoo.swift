import Core
import Foundation
import NN
import Tensor

/// Blocked Shampoo with Adam grafting, linear warmup and cosine decay.
///
/// Gupta, Koren & Singer, "Shampoo: Preconditioned Stochastic Tensor Optimization"
/// (ICML 2018), with the blocking, grafting and infrequent root computation of Anil et
/// al., "Scalable Second Order Optimization for Deep Learning" (2020). Each matrix-like
/// tensor, seen as a matrix (`ParameterView.matrixShape`: a convolution kernel is
/// out × in·kh·kw), is cut into blocks of at most `block_size` × `block_size`. For a
/// block with gradient G: `L ← β₂L + (1−β₂)GGᵀ`, `R ← β₂R + (1−β₂)GᵀG` every step;
/// every `precondition_interval` steps `L^(−1/4)`, `R^(−1/4)` are recomputed through
/// LAPACK's symmetric eigensolver (`SymmetricInverseRoot`, damping `matrix_epsilon` ×
/// λ_max). The direction is `S = L^(−1/4)·m·R^(−1/4)` (m the first moment), grafted to
/// Adam's: `S·‖A‖/‖S‖` with `A = m̂/(√v̂ + ε)` on the same block, then
/// `θ ← θ − η_t·(direction + λθ)`. Vectors (biases, norms) take Adam's direction. The
/// original paper preconditions the raw gradient with sums (β₂ = 1) and no grafting;
/// grafting and moving averages follow the scalable variant. No optax case exists; its
/// tests check the polar-factor property of the first step and the roots themselves.
public struct Shampoo: Submission {
    public static let name = "shampoo"

    public static let searchSpace = SearchSpace([
        "learning_rate": .range(min: 1e-4, max: 1e-1, scaling: .log),
        "one_minus_beta1": .range(min: 0.01, max: 0.2, scaling: .log),
        "beta2": .feasiblePoints([0.999]),
        "weight_decay": .range(min: 1e-5, max: 0.5, scaling: .log),
        "warmup_fraction": .feasiblePoints([0.05]),
    ])

    public static let defaultHyperparameters = Hyperparameters([
        "learning_rate": 3e-3, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 1e-4, "warmup_fraction": 0.05,
        "block_size": 128, "precondition_interval": 10, "matrix_epsilon": 1e-6,
    ])

    /// One preconditioned block of a matrix view.
    struct Block {
        let view: ParameterView
        /// Columns of the whole matrix (the block's leading dimension).
        let stride: Int
        let rowStart: Int, columnStart: Int, rows: Int, columns: Int
        /// Offsets of L (rows²) and R (columns²) in `statistics` and `roots`.
        let leftOffset: Int, rightOffset: Int
        /// Flat index of the block's first element.
        var origin: Int { view.offset + rowStart * stride + columnStart }
    }

    let schedule: WarmupCosineSchedule
    let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    let matrixEpsilon: Double
    let interval: Int
    let blocks: [Block]
    /// Views updated by Adam alone.
    let adamViews: [ParameterView]
    var statistics: [Float]
    var roots: [Float]
    var rootsReady: [Bool]
    var firstMoment: [Float]
    var secondMoment: [Float]
    var direction: [Float], product: [Float]
    var solver: SymmetricInverseRoot
    var gradient: ParameterSet

    public init(info: WorkloadInfo, hyperparameters: Hyperparameters, budget: Budget) throws {
        schedule = try WarmupCosineSchedule(hyperparameters: hyperparameters, budget: budget)
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate("beta2"))
        epsilon = Float(try hyperparameters.nonNegative("epsilon", default: 1e-8))
        weightDecay = Float(try hyperparameters.nonNegative("weight_decay", default: 0))
        matrixEpsilon = try hyperparameters.nonNegative("matrix_epsilon", default: 1e-6)
        let blockSize = hyperparameters.value("block_size", default: 128)
        guard blockSize >= 1, blockSize <= 4096, blockSize == blockSize.rounded() else {
            throw HyperparameterError.invalid(name: "block_size", value: blockSize, expected: "an integer in 1...4096")
        }
        let everySteps = hyperparameters.value("precondition_interval", default: 10)
        guard everySteps >= 1, everySteps == everySteps.rounded() else {
            throw HyperparameterError.invalid(name: "precondition_interval", value: everySteps, expected: "a positive integer")
        }
        interval = Int(everySteps)
        let size = Int(blockSize)
        var blocks: [Block] = [], adamViews: [ParameterView] = [], offset = 0, largestSide = 1, largestBlock = 1
        for view in info.layout.views {
            guard view.kind.isMatrixLike, view.shape.count >= 2 else {
                adamViews.append(view)
                continue
            }
            let (rows, columns) = view.matrixShape
            for rowStart in stride(from: 0, to: rows, by: size) {
                for columnStart in stride(from: 0, to: columns, by: size) {
                    let r = min(size, rows - rowStart), c = min(size, columns - columnStart)
                    blocks.append(Block(
                        view: view, stride: columns, rowStart: rowStart, columnStart: columnStart, rows: r, columns: c,
                        leftOffset: offset, rightOffset: offset + r * r))
                    offset += r * r + c * c
                    largestSide = max(largestSide, r, c)
                    largestBlock = max(largestBlock, r * c)
                }
            }
        }
        self.blocks = blocks
        self.adamViews = adamViews
        statistics = [Float](repeating: 0, count: offset)
        roots = statistics
        rootsReady = [Bool](repeating: false, count: blocks.count)
        firstMoment = [Float](repeating: 0, count: info.layout.count)
        secondMoment = firstMoment
        direction = [Float](repeating: 0, count: largestBlock)
        product = direction
        solver = SymmetricInverseRoot(capacity: largestSide)
        gradient = ParameterSet(layout: info.layout)
    }

    public mutating func step(_ parameters: inout ParameterSet, oracle: Oracle, context: StepContext) throws {
        oracle.gradient(at: parameters, into: &gradient)
        updateMoments()
        updateStatistics()
        if context.step % interval == 0 { updateRoots() }
        let t = Double(context.step + 1)
        let rate = Float(schedule.learningRate(at: context.step))
        let correction1 = Float(1 - pow(Double(beta1), t))
        let correction2 = Float(1 - pow(Double(beta2), t))
        for view in adamViews {
            applyAdam(view.range, rate: rate, correction1: correction1, correction2: correction2, &parameters)
        }
        for index in blocks.indices {
            applyBlock(index, rate: rate, correction1: correction1, correction2: correction2, &parameters)
        }
    }

    private mutating func updateMoments() {
        let (b1, b2) = (beta1, beta2)
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                gradient.values.withUnsafeBufferPointer { g in
                    for i in 0..<m.count {
                        let gi = g[i]
                        m[i] = b1 * m[i] + (1 - b1) * gi
                        v[i] = b2 * v[i] + (1 - b2) * gi * gi
                    }
                }
            }
        }
    }

    private mutating func updateStatistics() {
        let b2 = beta2
        for block in blocks {
            gradient.values.withUnsafeBufferPointer { g in
                statistics.withUnsafeMutableBufferPointer { s in
                    let gp = g.baseAddress! + block.origin
                    BLAS.gemm(
                        .none, .transposed, m: block.rows, n: block.rows, k: block.columns, alpha: 1 - b2,
                        a: gp, lda: block.stride, b: gp, ldb: block.stride, beta: b2, c: s.baseAddress! + block.leftOffset)
                    BLAS.gemm(
                        .transposed, .none, m: block.columns, n: block.columns, k: block.rows, alpha: 1 - b2,
                        a: gp, lda: block.stride, b: gp, ldb: block.stride, beta: b2, c: s.baseAddress! + block.rightOffset)
                }
            }
        }
    }

    private mutating func updateRoots() {
        for (index, block) in blocks.enumerated() {
            var succeeded = true
            statistics.withUnsafeBufferPointer { s in
                roots.withUnsafeMutableBufferPointer { r in
                    succeeded = solver.compute(
                        s.baseAddress! + block.leftOffset, size: block.rows, root: 4, epsilon: matrixEpsilon,
                        into: r.baseAddress! + block.leftOffset)
                    && solver.compute(
                        s.baseAddress! + block.rightOffset, size: block.columns, root: 4, epsilon: matrixEpsilon,
                        into: r.baseAddress! + block.rightOffset)
                }
            }
            // A failed eigensolve keeps the previous roots (or Adam's direction until the first).
            if succeeded { rootsReady[index] = true }
        }
    }

    private mutating func applyAdam(_ range: Range<Int>, rate: Float, correction1: Float, correction2: Float, _ parameters: inout ParameterSet) {
        let (eps, decay) = (epsilon, weightDecay)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeBufferPointer { m in
                secondMoment.withUnsafeBufferPointer { v in
                    for i in range {
                        let adam = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + eps)
                        theta[i] -= rate * (adam + decay * theta[i])
                    }
                }
            }
        }
    }

    private mutating func applyBlock(_ index: Int, rate: Float, correction1: Float, correction2: Float, _ parameters: inout ParameterSet) {
        let block = blocks[index]
        guard rootsReady[index] else {
            for row in 0..<block.rows {
                let start = block.origin + row * block.stride
                applyAdam(start..<(start + block.columns), rate: rate, correction1: correction1, correction2: correction2, &parameters)
            }
            return
        }
        let (rows, columns) = (block.rows, block.columns)
        let (eps, decay) = (epsilon, weightDecay)
        parameters.values.withUnsafeMutableBufferPointer { theta in
            firstMoment.withUnsafeBufferPointer { m in
                secondMoment.withUnsafeBufferPointer { v in
                    roots.withUnsafeBufferPointer { r in
                        direction.withUnsafeMutableBufferPointer { s in
                            product.withUnsafeMutableBufferPointer { temporary in
                                // S = L^(−1/4) · m · R^(−1/4)
                                BLAS.gemm(
                                    .none, .none, m: rows, n: columns, k: rows, a: r.baseAddress! + block.leftOffset,
                                    b: m.baseAddress! + block.origin, ldb: block.stride, c: temporary.baseAddress!)
                                BLAS.gemm(
                                    .none, .none, m: rows, n: columns, k: columns, a: temporary.baseAddress!,
                                    b: r.baseAddress! + block.rightOffset, c: s.baseAddress!)
                                var adamNorm = 0.0, shampooNorm = 0.0
                                for row in 0..<rows {
                                    for column in 0..<columns {
                                        let i = block.origin + row * block.stride + column
                                        let adam = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + eps)
                                        adamNorm += Double(adam) * Double(adam)
                                        let si = s[row * columns + column]
                                        shampooNorm += Double(si) * Double(si)
                                    }
                                }
                                let graft = shampooNorm > 0 ? Float((adamNorm / shampooNorm).squareRoot()) : 0
                                for row in 0..<rows {
                                    for column in 0..<columns {
                                        let i = block.origin + row * block.stride + column
                                        theta[i] -= rate * (graft * s[row * columns + column] + decay * theta[i])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Moments, statistics and their roots.
    public var stateBytes: Int { (2 * firstMoment.count + 2 * statistics.count) * MemoryLayout<Float>.size }
}
