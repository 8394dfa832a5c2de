import Core
import NN

/// One bilevel step's oracle outputs, allocated once per trial: derivatives with respect
/// to z in the inner layout, derivatives with respect to x in the outer layout.
struct BilevelScratch {
    /// `∇_z g` on the latest inner batch.
    var innerGradient: ParameterSet
    /// `∇_x g`, written beside `innerGradient` (the implicit solvers do not use it).
    var innerGradientX: ParameterSet
    /// `∇_z f` on the latest outer batch.
    var outerGradientZ: ParameterSet
    /// `∇_x f` on the latest outer batch.
    var outerGradientX: ParameterSet
    /// `∇²_zz g·v`.
    var hessianProduct: ParameterSet
    /// `∇²_xz g·v`.
    var crossProduct: ParameterSet

    init(inner: ParameterLayout, outer: ParameterLayout) {
        innerGradient = ParameterSet(layout: inner)
        outerGradientZ = innerGradient
        hessianProduct = innerGradient
        innerGradientX = ParameterSet(layout: outer)
        outerGradientX = innerGradientX
        crossProduct = innerGradientX
    }

    /// `steps` SGD steps `z ← z − α·∇_z g(z, x)`, each on a fresh inner batch of
    /// `batchSize` examples (warm-started inner solves).
    mutating func descendInner(
        _ z: inout ParameterSet, at x: ParameterSet, steps: Int, stepSize: Float, batchSize: Int, oracle: BilevelOracle
    ) {
        for _ in 0..<steps {
            oracle.drawInnerBatch(size: batchSize)
            oracle.innerGradients(at: z, x, dz: &innerGradient, dx: &innerGradientX)
            BilevelVectors.add(-stepSize, innerGradient, to: &z)
        }
    }

    /// The hypergradient estimate `∇_x f + ∇²_xz g·v` from the latest outer gradient and
    /// cross product.
    var hypergradient: ParameterSet { BilevelVectors.sum(outerGradientX, crossProduct) }
}
