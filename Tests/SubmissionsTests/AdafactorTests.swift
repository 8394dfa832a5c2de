import Core
import Foundation
import NN
import Testing
@testable import Submissions

/// Adafactor's factored paths, against a coordinate-by-coordinate reference in double
/// precision (the optax case only covers a 2-D matrix whose largest axis comes first):
/// the general path ([5, 2, 9]: an axis between the factored ones) and the stacked-matrix
/// path in both axis orders, with rows shorter than, and longer than, its 16 SIMD lanes.
@Suite struct AdafactorTests {
    static let settings = Hyperparameters([
        "learning_rate": 0.05, "min_dim_size_to_factor": 4, "warmup_fraction": 0, "min_lr_factor": 1,
    ])

    /// [70, 130] and [3, 70, 20] have more rows than one 64-row block of the first pass
    /// (with the largest axis last, and stacked); the last shape has over 2²⁰ elements, so
    /// both passes split over the BLAS thread budget (two threads on a 2-core machine).
    @Test(arguments: [[3, 8, 5], [5, 2, 9], [6, 4], [2, 20, 37], [40, 18], [70, 130], [3, 70, 20], [1040, 1024]])
    func factoredUpdateMatchesReference(_ shape: [Int]) throws {
        var layout = ParameterLayout()
        let view = layout.add("w", shape: shape, kind: .weight)
        let n = view.count
        let start: [Float] = (0..<n).map { (i: Int) -> Float in Float((i * 13) % 7) / 5 - 0.6 }
        let gradients: [[Float]] = (0..<3).map { (t: Int) -> [Float] in
            (0..<n).map { (i: Int) -> Float in Float(((i + 3 * t) * 11) % 9) / 4 - 1.1 }
        }
        let workload = ReplayWorkload(name: "factored", layout: layout, gradients: gradients)
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 0))
        var optimizer = try Adafactor(info: workload.info, hyperparameters: Self.settings, budget: Budget(maxRuntimeSeconds: 1, stepHint: 3))
        #expect(optimizer.plans[0].factored)
        var parameters = ParameterSet(layout: layout, values: start)
        var reference = Reference(shape: shape, parameters: start.map(Double.init))
        for t in 0..<3 {
            oracle.drawBatch()
            try optimizer.step(&parameters, oracle: oracle, context: StepContext(step: t, stepHint: 3, submissionTime: 0, lastEvaluation: nil))
            reference.step(gradients[t].map(Double.init), t: t, rate: 0.05)
            let worst = (0..<n).map { abs(Double(parameters.values[$0]) - reference.parameters[$0]) }.max() ?? 0
            #expect(worst < 1e-5, "\(shape) step \(t)")
        }
        let d0 = shape.indices.max { shape[$0] < shape[$1] }!
        let d1 = shape.indices.filter { $0 != d0 }.max { shape[$0] < shape[$1] }!
        #expect(optimizer.stateBytes == (n / shape[d0] + n / shape[d1]) * 4)
    }

    @Test func smallTensorsAreNotFactored() throws {
        var layout = ParameterLayout()
        layout.add("w", shape: [3, 200], kind: .weight)
        layout.add("b", shape: [200], kind: .bias)
        let info = WorkloadInfo(name: "t", layout: layout, lossType: .custom, defaultBatchSize: 1, stepHint: 1, trainingExamples: nil)
        let optimizer = try Adafactor(info: info, hyperparameters: Adafactor.defaultHyperparameters, budget: Budget(maxRuntimeSeconds: 1, stepHint: 1))
        #expect(optimizer.plans.map(\.factored) == [false, false])
        #expect(optimizer.stateBytes == 800 * 4)
    }

    /// The rule written out with explicit coordinates.
    struct Reference {
        let shape: [Int]
        var parameters: [Double]
        var row: [Int: Double] = [:], column: [Int: Double] = [:]

        init(shape: [Int], parameters: [Double]) {
            self.shape = shape
            self.parameters = parameters
        }

        func coordinates(_ i: Int) -> [Int] {
            var rest = i
            var result = [Int](repeating: 0, count: shape.count)
            for axis in shape.indices.reversed() {
                result[axis] = rest % shape[axis]
                rest /= shape[axis]
            }
            return result
        }

        /// A key for the coordinates with `axes` dropped.
        func key(_ c: [Int], dropping axes: Set<Int>) -> Int {
            var k = 0
            for axis in shape.indices where !axes.contains(axis) { k = k * shape[axis] + c[axis] }
            return k
        }

        mutating func step(_ g: [Double], t: Int, rate: Double) {
            let d0 = shape.indices.max { shape[$0] < shape[$1] }!
            let d1 = shape.indices.filter { $0 != d0 }.max { shape[$0] < shape[$1] }!
            let rho = 1 - pow(Double(t + 1), -0.8)
            var rowSum: [Int: Double] = [:], columnSum: [Int: Double] = [:]
            for i in g.indices {
                let c = coordinates(i), square = g[i] * g[i] + 1e-30
                rowSum[key(c, dropping: [d0]), default: 0] += square / Double(shape[d0])
                columnSum[key(c, dropping: [d1]), default: 0] += square / Double(shape[d1])
            }
            for (k, s) in rowSum { row[k] = rho * row[k, default: 0] + (1 - rho) * s }
            for (k, s) in columnSum { column[k] = rho * column[k, default: 0] + (1 - rho) * s }
            var rowMean: [Int: Double] = [:]
            for i in g.indices {
                let c = coordinates(i)
                if c[d0] == 0 { rowMean[key(c, dropping: [d0, d1]), default: 0] += row[key(c, dropping: [d0])]! / Double(shape[d1]) }
            }
            var u = [Double](repeating: 0, count: g.count)
            for i in g.indices {
                let c = coordinates(i)
                let r = row[key(c, dropping: [d0])]!, col = column[key(c, dropping: [d1])]!
                u[i] = g[i] / (r / rowMean[key(c, dropping: [d0, d1])]!).squareRoot() / col.squareRoot()
            }
            let rms = (u.reduce(0) { $0 + $1 * $1 } / Double(u.count)).squareRoot()
            let parameterRMS = max((parameters.reduce(0) { $0 + $1 * $1 } / Double(u.count)).squareRoot(), 1e-3)
            for i in u.indices { parameters[i] -= rate * parameterRMS * u[i] / max(1, rms) }
        }
    }
}
