import Core
import NN

/// What the first-order value-function penalty methods (`penalty`, `f2sa`) share: with
/// multiplier λ they drive y to `argmin_y f(y, x)/λ + g(y, x)` and z to `argmin_z g(z, x)`,
/// and move x along the penalised gradient
/// `∇_x f(y, x) + λ·(∇_x g(y, x) − ∇_x g(z, x))`, using first derivatives only.
struct ValueFunctionPenalty {
    /// The penalised inner variable y and the plain inner variable z (nil until the first step).
    private(set) var y: ParameterSet?, z: ParameterSet?
    private var gy: ParameterSet, gz: ParameterSet, fy: ParameterSet
    private var gxAtY: ParameterSet, gxAtZ: ParameterSet, fx: ParameterSet

    init(inner: ParameterLayout, outer: ParameterLayout) {
        gy = ParameterSet(layout: inner)
        gz = gy
        fy = gy
        gxAtY = ParameterSet(layout: outer)
        gxAtZ = gxAtY
        fx = gxAtY
    }

    /// On the current batches: `∇g` at z, `∇g` and `∇f` at y (two inner gradients, one
    /// outer gradient), kept for `moveInner` and `moveOuter`.
    mutating func evaluate(at x: ParameterSet, oracle: BilevelOracle) {
        if y == nil { y = oracle.initialInner() }
        if z == nil { z = oracle.initialInner() }
        guard let y, let z else { return }
        oracle.innerGradients(at: z, x, dz: &gz, dx: &gxAtZ)
        oracle.innerGradients(at: y, x, dz: &gy, dx: &gxAtY)
        oracle.outerGradients(at: y, x, dz: &fy, dx: &fx)
    }

    /// `z ← z − α·∇_z g(z)` and `y ← y − α·(∇_y f(y)/λ + ∇_y g(y))` from the last
    /// `evaluate` (the y-step on f is scaled by 1/λ, so α is a step in units of g's curvature).
    mutating func moveInner(stepSize: Float, multiplier: Float) {
        guard var y, var z else { preconditionFailure("ValueFunctionPenalty.moveInner before evaluate") }
        BilevelVectors.add(-stepSize, gz, to: &z)
        BilevelVectors.add(-stepSize / multiplier, fy, to: &y)
        BilevelVectors.add(-stepSize, gy, to: &y)
        self.y = y
        self.z = z
    }

    /// `x ← x − γ·(∇_x f(y) + λ·(∇_x g(y) − ∇_x g(z)))` from the last `evaluate`.
    func moveOuter(_ x: inout ParameterSet, stepSize: Float, multiplier: Float) {
        BilevelVectors.add(-stepSize, fx, to: &x)
        BilevelVectors.add(-stepSize * multiplier, gxAtY, to: &x)
        BilevelVectors.add(stepSize * multiplier, gxAtZ, to: &x)
    }

    /// Bytes of y and z.
    var stateBytes: Int { 2 * gy.values.count * MemoryLayout<Float>.size }
}
