import Core
import NN

/// A bilevel problem `min_x F(x) = f(z*(x), x)` with `z*(x) = argmin_z g(z, x)`.
///
/// `x` (outer variable, hyperparameters) has `outerLayout`; `z` (inner variable, model
/// weights) has `innerLayout`. `g` is an average over training ("inner") examples plus
/// a regulariser, `f` an average over validation ("outer") examples. Every oracle takes
/// the examples to average over (`nil` = all of them), so stochastic bilevel solvers
/// (SOBA, AmIGO, StocBiO, penalty and value-function methods) can work on minibatches;
/// minibatch values and gradients are unbiased estimates of the full ones.
///
/// Vectors are `ParameterSet`s; outputs are written (not accumulated) into `into:`.
public protocol BilevelProblem: AnyObject {
    /// Layout of the outer variable `x` (what a generic submission optimises).
    var outerLayout: ParameterLayout { get }
    /// Layout of the inner variable `z`.
    var innerLayout: ParameterLayout { get }
    /// Number of inner (training) examples.
    var innerExampleCount: Int { get }
    /// Number of outer (validation) examples.
    var outerExampleCount: Int { get }

    /// The initial outer variable (the same for every seed: bilevel benchmarks start all
    /// solvers from one hyperparameter setting).
    func initialOuter() -> ParameterSet
    /// The initial inner variable (warm starts begin here).
    func initialInner() -> ParameterSet

    /// `g(z, x)` on `examples`.
    func innerValue(_ z: ParameterSet, _ x: ParameterSet, examples: [Int]?) -> Float
    /// `g(z, x)` with `∇_z g` and `∇_x g`.
    func innerGradients(_ z: ParameterSet, _ x: ParameterSet, examples: [Int]?, dz: inout ParameterSet, dx: inout ParameterSet) -> Float
    /// `f(z, x)` on `examples`.
    func outerValue(_ z: ParameterSet, _ x: ParameterSet, examples: [Int]?) -> Float
    /// `f(z, x)` with `∇_z f` and `∇_x f`.
    func outerGradients(_ z: ParameterSet, _ x: ParameterSet, examples: [Int]?, dz: inout ParameterSet, dx: inout ParameterSet) -> Float
    /// `∇²_zz g(z, x) · v` for `v` in the inner layout.
    func innerHessianVectorProduct(_ z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, examples: [Int]?, into result: inout ParameterSet)
    /// The cross derivative `∇²_xz g(z, x) · v` (an outer-layout vector) for `v` in the inner layout.
    func crossDerivativeProduct(_ z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, examples: [Int]?, into result: inout ParameterSet)

    /// Evaluation at an (accurately solved) inner solution `z ≈ z*(x)`: the outer loss on
    /// all validation examples as `trainLoss`, the workload's metric on validation and test.
    func metrics(_ z: ParameterSet, _ x: ParameterSet) -> Metrics
}
