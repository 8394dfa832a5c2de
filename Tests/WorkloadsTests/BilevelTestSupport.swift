import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

/// Derivative checks shared by the bilevel workload tests. Each compares an exact
/// derivative with central differences (values widened to Double) using
/// `WorkloadTestSupport.compare`'s criterion.
enum BilevelTestSupport {
    static func perturbed(_ p: ParameterSet, _ i: Int, _ h: Float) -> ParameterSet {
        var q = p
        q.values[i] += h
        return q
    }

    static func sample(_ count: Int, _ samples: Int, seed: UInt64) -> [Int] {
        var generator = RandomGenerator(seed: seed)
        return count <= samples ? Array(0..<count) : Array(generator.permutation(count).prefix(samples))
    }

    /// `∇_z g` and `∇_x g` against differences of `g`.
    static func checkInnerGradients<P: BilevelProblem>(
        _ problem: P, z: ParameterSet, x: ParameterSet, examples: [Int]?, step: Float, tolerance: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var dz = ParameterSet(layout: problem.innerLayout), dx = ParameterSet(layout: problem.outerLayout)
        _ = problem.innerGradients(z, x, examples: examples, dz: &dz, dx: &dx)
        let zPairs = sample(z.values.count, 30, seed: 1).map { i -> (Int, Double, Double) in
            let numeric = (Double(problem.innerValue(perturbed(z, i, step), x, examples: examples))
                - Double(problem.innerValue(perturbed(z, i, -step), x, examples: examples))) / Double(2 * step)
            return (i, Double(dz.values[i]), numeric)
        }
        WorkloadTestSupport.compare(zPairs, tolerance: tolerance, what: "∇_z g", sourceLocation: sourceLocation)
        let xPairs = sample(x.values.count, 30, seed: 2).map { i -> (Int, Double, Double) in
            let numeric = (Double(problem.innerValue(z, perturbed(x, i, step), examples: examples))
                - Double(problem.innerValue(z, perturbed(x, i, -step), examples: examples))) / Double(2 * step)
            return (i, Double(dx.values[i]), numeric)
        }
        WorkloadTestSupport.compare(xPairs, tolerance: tolerance, what: "∇_x g", sourceLocation: sourceLocation)
    }

    /// `∇_z f` against differences of `f` (and `∇_x f` against differences in x).
    static func checkOuterGradients<P: BilevelProblem>(
        _ problem: P, z: ParameterSet, x: ParameterSet, examples: [Int]?, step: Float, tolerance: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var dz = ParameterSet(layout: problem.innerLayout), dx = ParameterSet(layout: problem.outerLayout)
        _ = problem.outerGradients(z, x, examples: examples, dz: &dz, dx: &dx)
        let zPairs = sample(z.values.count, 30, seed: 3).map { i -> (Int, Double, Double) in
            let numeric = (Double(problem.outerValue(perturbed(z, i, step), x, examples: examples))
                - Double(problem.outerValue(perturbed(z, i, -step), x, examples: examples))) / Double(2 * step)
            return (i, Double(dz.values[i]), numeric)
        }
        WorkloadTestSupport.compare(zPairs, tolerance: tolerance, what: "∇_z f", sourceLocation: sourceLocation)
        for i in sample(x.values.count, 10, seed: 4) {
            let numeric = (Double(problem.outerValue(z, perturbed(x, i, step), examples: examples))
                - Double(problem.outerValue(z, perturbed(x, i, -step), examples: examples))) / Double(2 * step)
            #expect(abs(Double(dx.values[i]) - numeric) < 1e-6, "∇_x f[\(i)] = \(dx.values[i]), numeric \(numeric)", sourceLocation: sourceLocation)
        }
    }

    /// `∇²_zz g · v` and `∇²_xz g · v` against differences of `∇_z g` and `∇_x g` along `v`.
    static func checkSecondDerivatives<P: BilevelProblem>(
        _ problem: P, z: ParameterSet, x: ParameterSet, v: ParameterSet, examples: [Int]?, step: Double, tolerance: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var hv = ParameterSet(layout: problem.innerLayout), cross = ParameterSet(layout: problem.outerLayout)
        problem.innerHessianVectorProduct(z, x, v, examples: examples, into: &hv)
        problem.crossDerivativeProduct(z, x, v, examples: examples, into: &cross)
        let epsilon = Float(step / VectorMath.norm(v.values))
        var plus = z, minus = z
        for i in plus.values.indices {
            plus.values[i] += epsilon * v.values[i]
            minus.values[i] -= epsilon * v.values[i]
        }
        var dzPlus = ParameterSet(layout: problem.innerLayout), dzMinus = dzPlus
        var dxPlus = ParameterSet(layout: problem.outerLayout), dxMinus = dxPlus
        _ = problem.innerGradients(plus, x, examples: examples, dz: &dzPlus, dx: &dxPlus)
        _ = problem.innerGradients(minus, x, examples: examples, dz: &dzMinus, dx: &dxMinus)
        let width = Double(2 * epsilon)
        let hvPairs = hv.values.indices.map { ($0, Double(hv.values[$0]), (Double(dzPlus.values[$0]) - Double(dzMinus.values[$0])) / width) }
        WorkloadTestSupport.compare(hvPairs, tolerance: tolerance, what: "∇²_zz g · v", sourceLocation: sourceLocation)
        let crossPairs = cross.values.indices.map { ($0, Double(cross.values[$0]), (Double(dxPlus.values[$0]) - Double(dxMinus.values[$0])) / width) }
        WorkloadTestSupport.compare(crossPairs, tolerance: tolerance, what: "∇²_xz g · v", sourceLocation: sourceLocation)
    }

    /// The procedure's hypergradient on all outer examples, after enough calls at `x`
    /// that the warm starts have converged, against central differences of
    /// `F(x) = f(z*(x))` with accurately solved inner problems.
    static func checkHypergradient<P: BilevelProblem>(
        _ workload: HypergradientWorkload<P>, x: ParameterSet, coordinates: [Int], step: Float, tolerance: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let problem = workload.problem
        let batch = BilevelBatch(inner: [], outer: Array(0..<problem.outerExampleCount))
        var gradient = ParameterSet(layout: problem.outerLayout)
        for _ in 0..<30 { _ = workload.lossAndGradient(x, batch: batch, into: &gradient) }
        func outerAtSolution(_ point: ParameterSet) -> Double {
            Double(problem.outerValue(workload.solveInner(point).z, point, examples: nil))
        }
        let pairs = coordinates.map { i -> (Int, Double, Double) in
            let numeric = (outerAtSolution(perturbed(x, i, step)) - outerAtSolution(perturbed(x, i, -step))) / Double(2 * step)
            return (i, Double(gradient.values[i]), numeric)
        }
        WorkloadTestSupport.compare(pairs, tolerance: tolerance, what: "hypergradient", sourceLocation: sourceLocation)
    }
}
