import NN

/// A bilevel workload's derivatives on minibatches, as a `BilevelOracle` asks for them:
/// `min_x f(z*(x), x)` with `z*(x) = argmin_z g(z, x)`, `g` averaged over inner
/// (training) examples and `f` over outer (validation) examples.
///
/// The session holds a current inner and a current outer minibatch, replaced by
/// `drawInner(_:)` and `drawOuter(_:)` from the trial's seeded stream; every derivative
/// refers to the current one. Outputs are written (not accumulated) into `into:`/`dz`/`dx`.
public protocol BilevelSession: AnyObject {
    /// Layout of the outer variable `x`.
    var outerLayout: ParameterLayout { get }
    /// Layout of the inner variable `z`.
    var innerLayout: ParameterLayout { get }
    /// Where inner solves start (the same for every trial).
    func initialInner() -> ParameterSet
    /// Replaces the current inner minibatch by `size` fresh training examples.
    func drawInner(_ size: Int)
    /// Replaces the current outer minibatch by `size` fresh validation examples.
    func drawOuter(_ size: Int)
    /// `g(z, x)` on the inner batch, with `∇_z g` and `∇_x g`.
    func innerGradients(_ z: ParameterSet, _ x: ParameterSet, dz: inout ParameterSet, dx: inout ParameterSet) -> Float
    /// `f(z, x)` on the outer batch, with `∇_z f` and `∇_x f`.
    func outerGradients(_ z: ParameterSet, _ x: ParameterSet, dz: inout ParameterSet, dx: inout ParameterSet) -> Float
    /// `∇²_zz g(z, x)·v` on the inner batch.
    func innerHessianVectorProduct(_ z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, into result: inout ParameterSet)
    /// `∇²_xz g(z, x)·v` (an outer-layout vector) on the inner batch.
    func crossDerivativeProduct(_ z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, into result: inout ParameterSet)
}
