import Core
import NN
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
