import Core
import NN

/// The bilevel oracle's session over a `BilevelProblem`: minibatches come from the
/// trial's stream (inner and outer indices in their own reshuffled epochs), derivatives
/// from the problem's exact oracles on those examples.
final class ProblemBilevelSession<Problem: BilevelProblem>: BilevelSession {
    let problem: Problem
    private let stream: HypergradientWorkload<Problem>.Stream
    private var inner: [Int]
    private var outer: [Int]

    init(problem: Problem, stream: HypergradientWorkload<Problem>.Stream) {
        self.problem = problem
        self.stream = stream
        inner = []
        outer = []
    }

    var outerLayout: ParameterLayout { problem.outerLayout }
    var innerLayout: ParameterLayout { problem.innerLayout }

    func initialInner() -> ParameterSet { problem.initialInner() }

    func drawInner(_ size: Int) { inner = stream.nextInnerIndices(size: size) }

    func drawOuter(_ size: Int) { outer = stream.nextOuterIndices(size: size) }

    func innerGradients(_ z: ParameterSet, _ x: ParameterSet, dz: inout ParameterSet, dx: inout ParameterSet) -> Float {
        problem.innerGradients(z, x, examples: current(inner, "inner"), dz: &dz, dx: &dx)
    }

    func outerGradients(_ z: ParameterSet, _ x: ParameterSet, dz: inout ParameterSet, dx: inout ParameterSet) -> Float {
        problem.outerGradients(z, x, examples: current(outer, "outer"), dz: &dz, dx: &dx)
    }

    func innerHessianVectorProduct(_ z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, into result: inout ParameterSet) {
        problem.innerHessianVectorProduct(z, x, v, examples: current(inner, "inner"), into: &result)
    }

    func crossDerivativeProduct(_ z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, into result: inout ParameterSet) {
        problem.crossDerivativeProduct(z, x, v, examples: current(inner, "inner"), into: &result)
    }

    private func current(_ batch: [Int], _ which: String) -> [Int] {
        precondition(!batch.isEmpty, "BilevelOracle: no \(which) batch drawn yet (call draw\(which == "inner" ? "Inner" : "Outer")Batch first)")
        return batch
    }
}
