import Core
import NN

/// The vector arithmetic of bilevel solvers on whole `ParameterSet`s.
enum BilevelVectors {
    /// `y ← y + a·x`.
    static func add(_ a: Float, _ x: ParameterSet, to y: inout ParameterSet) {
        precondition(x.values.count == y.values.count, "BilevelVectors.add: \(x.values.count) values added to \(y.values.count)")
        x.values.withUnsafeBufferPointer { xs in
            y.values.withUnsafeMutableBufferPointer { ys in
                for i in 0..<ys.count { ys[i] += a * xs[i] }
            }
        }
    }

    /// `x + y`.
    static func sum(_ x: ParameterSet, _ y: ParameterSet) -> ParameterSet {
        var result = x
        add(1, y, to: &result)
        return result
    }

    /// Euclidean norm, accumulated in Double.
    static func norm(_ x: ParameterSet) -> Double {
        x.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }
}

/// The minibatch sizes every bilevel solver reads: `inner_batch_size` and
/// `outer_batch_size`, by default the workload's batch size.
struct BilevelBatchSizes {
    let inner: Int, outer: Int

    init(_ hyperparameters: Hyperparameters, info: WorkloadInfo) throws {
        inner = try hyperparameters.integer("inner_batch_size", default: info.defaultBatchSize, in: 1...1_000_000)
        outer = try hyperparameters.integer("outer_batch_size", default: info.defaultBatchSize, in: 1...1_000_000)
    }
}
