import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Submissions

@Suite struct ShampooTests {
    static func settings(_ extra: [String: Double] = [:]) -> Hyperparameters {
        Hyperparameters([
            "learning_rate": 0.01, "one_minus_beta1": 1, "beta2": 0.9, "weight_decay": 0, "warmup_fraction": 0,
            "min_lr_factor": 1, "precondition_interval": 1, "matrix_epsilon": 1e-9,
        ]).merging(Hyperparameters(extra))
    }

    /// With one gradient, L = cGGᵀ and R = cGᵀG, so L^(−¼)·G·R^(−¼) ∝ UVᵀ, the orthogonal
    /// polar factor of G; grafting gives it the norm of Adam's first step.
    @Test func firstStepIsTheGraftedPolarFactor() throws {
        let bowl = QuadraticBowl(weightShape: [6, 6])
        var shampoo = try Shampoo(info: bowl.info, hyperparameters: Self.settings(), budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        let start = ParameterSet(layout: bowl.info.layout, repeating: 0.5)
        let after = try bowl.train(&shampoo, steps: 1, from: start)
        let view = try #require(bowl.info.layout.view(named: "weight"))
        let d = view.range.map { Double(start.values[$0] - after.values[$0]) / 0.01 }
        var gram = [Double](repeating: 0, count: 36)
        for i in 0..<6 { for j in 0..<6 { for k in 0..<6 { gram[i * 6 + j] += d[i * 6 + k] * d[j * 6 + k] } } }
        let scale = (0..<6).map { gram[$0 * 7] }.reduce(0, +) / 6
        for i in 0..<6 {
            for j in 0..<6 {
                #expect(abs(gram[i * 6 + j] / scale - (i == j ? 1 : 0)) < 2e-3, "DDᵀ[\(i),\(j)]")
            }
        }
        // Adam's first direction is g/(|g| + ε): ±1 where g ≠ 0, 0 where g = 0.
        let nonZero = view.range.filter { bowl.curvature[$0] * (0.5 - bowl.center[$0]) != 0 }.count
        #expect(nonZero < 36)
        #expect(abs(scale * 6 - Double(nonZero)) < 0.01)
    }

    /// The definition, written densely in double precision in the test: per block of a
    /// 6 × 4 matrix cut at 4 rows (a 4 × 4 and a 2 × 4 block), L ← β₂L + (1−β₂)GGᵀ,
    /// R ← β₂R + (1−β₂)GᵀG every step; every 2 steps the roots (X + δI)^(−1/4) with
    /// δ = ε·λ_max(X); the direction S = L^(−1/4)·m·R^(−1/4), grafted to Adam's norm on the
    /// block, θ ← θ − η(‖A‖/‖S‖·S + λθ); the bias takes AdamW. Six steps of the submission
    /// must give the same parameters (so the blocking, the stale roots between refreshes and
    /// the grafting are all the definition's).
    @Test func matchesADenseDefinitionOverSeveralSteps() throws {
        var layout = ParameterLayout()
        layout.add("w", shape: [6, 4], kind: .weight)
        layout.add("b", shape: [4], kind: .bias)
        let n = layout.count, steps = 6
        let gradients: [[Float]] = (0..<steps).map { (t: Int) -> [Float] in
            (0..<n).map { (i: Int) -> Float in
                let code: Int = ((i + 3) * (t + 5) * 37) % 41
                return Float(code) / 20 - 1
            }
        }
        let workload = ReplayWorkload(name: "shampoo", layout: layout, gradients: gradients)
        let (rate, b1, b2, eps, decay, matrixEpsilon) = (0.01, 0.9, 0.99, 1e-8, 0.05, 0.01)
        let hp = Hyperparameters([
            "learning_rate": rate, "one_minus_beta1": 1 - b1, "beta2": b2, "weight_decay": decay, "warmup_fraction": 0,
            "min_lr_factor": 1, "precondition_interval": 2, "matrix_epsilon": matrixEpsilon, "block_size": 4, "epsilon": eps,
        ])
        var shampoo = try Shampoo(info: workload.info, hyperparameters: hp, budget: Budget(maxRuntimeSeconds: 1, stepHint: steps))
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 0))
        var parameters = ParameterSet(layout: layout, values: (0..<n).map { Float($0 % 5) / 4 - 0.5 })

        var theta = parameters.values.map(Double.init)
        var m = [Double](repeating: 0, count: n), v = m
        let blocks = [(rowStart: 0, rows: 4), (rowStart: 4, rows: 2)]
        var left = blocks.map { [Double](repeating: 0, count: $0.rows * $0.rows) }
        var right = blocks.map { _ in [Double](repeating: 0, count: 16) }
        var leftRoot = left, rightRoot = right
        for t in 0..<steps {
            oracle.drawBatch()
            try shampoo.step(&parameters, oracle: oracle, context: StepContext(step: t, stepHint: steps, submissionTime: 0, lastEvaluation: nil))
            let g = gradients[t].map(Double.init)
            for i in 0..<n {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            }
            let c1 = 1 - pow(b1, Double(t + 1)), c2 = 1 - pow(b2, Double(t + 1))
            func adam(_ i: Int) -> Double { (m[i] / c1) / ((v[i] / c2).squareRoot() + eps) }
            var next = theta
            for i in 24..<28 { next[i] = theta[i] - rate * (adam(i) + decay * theta[i]) }
            for (k, block) in blocks.enumerated() {
                let r = block.rows
                func at(_ row: Int, _ column: Int) -> Int { (block.rowStart + row) * 4 + column }
                for a in 0..<r { for b in 0..<r {
                    let ggt = (0..<4).reduce(0.0) { $0 + g[at(a, $1)] * g[at(b, $1)] }
                    left[k][a * r + b] = b2 * left[k][a * r + b] + (1 - b2) * ggt
                } }
                for a in 0..<4 { for b in 0..<4 {
                    let gtg = (0..<r).reduce(0.0) { $0 + g[at($1, a)] * g[at($1, b)] }
                    right[k][a * 4 + b] = b2 * right[k][a * 4 + b] + (1 - b2) * gtg
                } }
                if t % 2 == 0 {
                    leftRoot[k] = Self.inverseFourthRoot(left[k], size: r, epsilon: matrixEpsilon)
                    rightRoot[k] = Self.inverseFourthRoot(right[k], size: 4, epsilon: matrixEpsilon)
                }
                var direction = [Double](repeating: 0, count: r * 4)
                for a in 0..<r { for b in 0..<4 {
                    var sum = 0.0
                    for p in 0..<r { for q in 0..<4 { sum += leftRoot[k][a * r + p] * m[at(p, q)] * rightRoot[k][q * 4 + b] } }
                    direction[a * 4 + b] = sum
                } }
                let adamNorm = (0..<r).flatMap { a in (0..<4).map { adam(at(a, $0)) } }.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
                let directionNorm = direction.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
                for a in 0..<r { for b in 0..<4 {
                    let i = at(a, b)
                    next[i] = theta[i] - rate * (adamNorm / directionNorm * direction[a * 4 + b] + decay * theta[i])
                } }
            }
            theta = next
            for i in 0..<n {
                #expect(abs(Double(parameters.values[i]) - theta[i]) < 2e-5, "step \(t) coordinate \(i): \(parameters.values[i]) vs \(theta[i])")
            }
        }
    }

    /// Eigenvalues and eigenvectors (columns of the row-major `vectors`) of a symmetric
    /// matrix, by cyclic Jacobi rotations in double precision.
    static func jacobiEigen(_ x: [Double], size n: Int) -> (values: [Double], vectors: [Double]) {
        var a = x
        var q = (0..<(n * n)).map { $0 / n == $0 % n ? 1.0 : 0.0 }
        for _ in 0..<50 {
            for p in 0..<n { for r in (p + 1)..<max(p + 1, n) where abs(a[p * n + r]) > 1e-300 {
                let theta = (a[r * n + r] - a[p * n + p]) / (2 * a[p * n + r])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<n {  // A ← JᵀAJ on columns, then rows; Q ← QJ
                    let (akp, akr) = (a[k * n + p], a[k * n + r])
                    a[k * n + p] = c * akp - s * akr
                    a[k * n + r] = s * akp + c * akr
                }
                for k in 0..<n {
                    let (apk, ark) = (a[p * n + k], a[r * n + k])
                    a[p * n + k] = c * apk - s * ark
                    a[r * n + k] = s * apk + c * ark
                }
                for k in 0..<n {
                    let (qkp, qkr) = (q[k * n + p], q[k * n + r])
                    q[k * n + p] = c * qkp - s * qkr
                    q[k * n + r] = s * qkp + c * qkr
                }
            } }
        }
        return ((0..<n).map { a[$0 * n + $0] }, q)
    }

    /// (X + δI)^(−1/4), δ = ε·λ_max, for a symmetric X (eigenvalues below 0 taken as 0).
    static func inverseFourthRoot(_ x: [Double], size n: Int, epsilon: Double) -> [Double] {
        let (eigenvalues, q) = jacobiEigen(x, size: n)
        let values = eigenvalues.map { max($0, 0) }
        let damping = epsilon * (values.max() ?? 0) + 1e-30
        var result = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n {
            result[i * n + j] = (0..<n).reduce(0.0) { $0 + q[i * n + $1] * pow(values[$1] + damping, -0.25) * q[j * n + $1] }
        } }
        return result
    }

    @Test func blocksCoverTheMatrixAndStateIsCounted() throws {
        let bowl = QuadraticBowl(weightShape: [10, 7])
        let shampoo = try Shampoo(
            info: bowl.info, hyperparameters: Self.settings(["block_size": 4]), budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        // Rows 4+4+2, columns 4+3: six blocks.
        #expect(shampoo.blocks.count == 6)
        #expect(shampoo.blocks.map { $0.rows * $0.columns }.reduce(0, +) == 70)
        let statistics = [4, 4, 2].flatMap { r in [4, 3].map { c in r * r + c * c } }.reduce(0, +)
        #expect(shampoo.stateBytes == (2 * bowl.info.layout.count + 2 * statistics) * 4)
    }

    @Test func blockedShampooDescends() throws {
        let bowl = QuadraticBowl(weightShape: [10, 7])
        var shampoo = try Shampoo(
            info: bowl.info, hyperparameters: Shampoo.defaultHyperparameters.merging(Hyperparameters(["block_size": 4])),
            budget: Budget(maxRuntimeSeconds: 1, stepHint: 100))
        let start = ParameterSet(layout: bowl.info.layout, repeating: 0.5)
        let after = try bowl.train(&shampoo, steps: 100, from: start)
        #expect(bowl.lossValue(after) < 0.8 * bowl.lossValue(start))
    }
}

@Suite struct SymmetricInverseRootTests {
    @Test func fourthRootInvertsAPositiveDefiniteMatrix() {
        let n = 5
        // A = BBᵀ + I for a fixed B.
        let b = (0..<(n * n)).map { Float(($0 * 37) % 17) / 8 - 1 }
        var a = [Float](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n {
            var s: Float = i == j ? 1 : 0
            for k in 0..<n { s += b[i * n + k] * b[j * n + k] }
            a[i * n + j] = s
        } }
        var solver = SymmetricInverseRoot(capacity: 8)
        var root = [Float](repeating: 0, count: n * n)
        let ok = a.withUnsafeBufferPointer { pa in
            root.withUnsafeMutableBufferPointer { pr in
                solver.compute(pa.baseAddress!, size: n, root: 4, epsilon: 0, into: pr.baseAddress!)
            }
        }
        #expect(ok)
        func multiply(_ x: [Float], _ y: [Float]) -> [Float] {
            var z = [Float](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n { for k in 0..<n { z[i * n + j] += x[i * n + k] * y[k * n + j] } } }
            return z
        }
        let identity = multiply(multiply(multiply(multiply(root, root), root), root), a)
        for i in 0..<n { for j in 0..<n {
            #expect(abs(identity[i * n + j] - (i == j ? 1 : 0)) < 1e-3, "X⁴A[\(i),\(j)]")
            #expect(abs(root[i * n + j] - root[j * n + i]) < 1e-5)
        } }
    }
}
