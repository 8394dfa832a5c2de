import NN

/// Calls a bilevel solver has made, by kind.
public struct BilevelOracleCounts: Sendable, Equatable {
    /// `∇_z g` (with `∇_x g`) on an inner batch.
    public var innerGradients = 0
    /// `∇_z f` with `∇_x f` on an outer batch.
    public var outerGradients = 0
    /// `∇²_zz g·v`.
    public var hessianVectorProducts = 0
    /// `∇²_xz g·v`.
    public var crossProducts = 0

    public init(innerGradients: Int = 0, outerGradients: Int = 0, hessianVectorProducts: Int = 0, crossProducts: Int = 0) {
        self.innerGradients = innerGradients
        self.outerGradients = outerGradients
        self.hessianVectorProducts = hessianVectorProducts
        self.crossProducts = crossProducts
    }

    /// Every call, each counted once (the unit of "per oracle call" comparisons).
    public var total: Int { innerGradients + outerGradients + hessianVectorProducts + crossProducts }
}

/// What a bilevel solver may ask of a bilevel workload, every call counted: inner and
/// outer gradients, the inner Hessian-vector product and the cross-derivative product,
/// all on minibatches the solver draws.
///
/// Calls are also added to the trial's `Oracle.counts` (gradients as gradient
/// evaluations, both second-order products as Hessian-vector products, drawn examples as
/// examples), so bilevel solvers and generic submissions share one results layout and
/// one oracle-call axis.
public final class BilevelOracle {
    /// Calls so far, by kind.
    public private(set) var counts = BilevelOracleCounts()
    /// Layout of the inner variable `z` (and of linear-system variables).
    public var innerLayout: ParameterLayout { session.innerLayout }
    /// Layout of the outer variable `x`.
    public var outerLayout: ParameterLayout { session.outerLayout }

    private let session: any BilevelSession
    private unowned let oracle: Oracle

    init(session: any BilevelSession, oracle: Oracle) {
        self.session = session
        self.oracle = oracle
    }

    /// Where inner solves start.
    public func initialInner() -> ParameterSet { session.initialInner() }

    /// Draws a fresh inner (training) minibatch of `size` examples.
    public func drawInnerBatch(size: Int) {
        precondition(size >= 1, "BilevelOracle.drawInnerBatch: size must be ≥ 1, got \(size)")
        session.drawInner(size)
        oracle.recordBilevel(examples: size)
    }

    /// Draws a fresh outer (validation) minibatch of `size` examples.
    public func drawOuterBatch(size: Int) {
        precondition(size >= 1, "BilevelOracle.drawOuterBatch: size must be ≥ 1, got \(size)")
        session.drawOuter(size)
        oracle.recordBilevel(examples: size)
    }

    /// `g(z, x)` on the inner batch; `∇_z g` into `dz` and `∇_x g` into `dx`.
    @discardableResult
    public func innerGradients(at z: ParameterSet, _ x: ParameterSet, dz: inout ParameterSet, dx: inout ParameterSet) -> Float {
        counts.innerGradients += 1
        oracle.recordBilevel(gradients: 1)
        return session.innerGradients(z, x, dz: &dz, dx: &dx)
    }

    /// `f(z, x)` on the outer batch; `∇_z f` into `dz` and `∇_x f` into `dx`.
    @discardableResult
    public func outerGradients(at z: ParameterSet, _ x: ParameterSet, dz: inout ParameterSet, dx: inout ParameterSet) -> Float {
        counts.outerGradients += 1
        oracle.recordBilevel(gradients: 1)
        let value = session.outerGradients(z, x, dz: &dz, dx: &dx)
        oracle.recordBilevel(loss: value)
        return value
    }

    /// `∇²_zz g(z, x)·v` on the inner batch.
    public func hessianVectorProduct(at z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, into result: inout ParameterSet) {
        counts.hessianVectorProducts += 1
        oracle.recordBilevel(products: 1)
        session.innerHessianVectorProduct(z, x, v, into: &result)
    }

    /// `∇²_xz g(z, x)·v` on the inner batch.
    public func crossProduct(at z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, into result: inout ParameterSet) {
        counts.crossProducts += 1
        oracle.recordBilevel(products: 1)
        session.crossDerivativeProduct(z, x, v, into: &result)
    }
}
