import Core
import NN
import Tensor

/// Hutchinson's estimator of the Hessian diagonal, shared by AdaHessian, Sophia-H and
/// SANIA's Hutchinson preconditioner.
///
/// For Rademacher `z` (independent ±1), `E[z ⊙ Hz] = diag(H)`: the off-diagonal terms
/// `H_ij z_i z_j` (i ≠ j) have mean zero, and coordinate i's variance is `Σ_{j≠i} H_ij²`
/// per probe. `estimate` averages `samples` probes, each one Hessian-vector product on
/// the oracle's current batch.
struct HutchinsonDiagonal {
    /// Scratch: the probe `z` and the product `Hz` (not optimizer state).
    private var probe: ParameterSet
    private var product: ParameterSet

    init(layout: ParameterLayout) {
        probe = ParameterSet(layout: layout)
        product = ParameterSet(layout: layout)
    }

    /// Writes `(1/samples) Σ_s z_s ⊙ H z_s` at `parameters` into `diagonal`, drawing the
    /// probes from `generator`; costs `samples` Hessian-vector products.
    mutating func estimate(
        at parameters: ParameterSet, oracle: Oracle, generator: inout RandomGenerator, samples: Int,
        into diagonal: inout [Float]
    ) {
        precondition(samples >= 1, "HutchinsonDiagonal: samples must be ≥ 1, got \(samples)")
        precondition(diagonal.count == parameters.values.count,
                     "HutchinsonDiagonal: diagonal has \(diagonal.count) entries, parameters \(parameters.values.count)")
        let scale = 1 / Float(samples)
        for sample in 0..<samples {
            probe.values.withUnsafeMutableBufferPointer { generator.fillRademacher($0) }
            oracle.hessianVectorProduct(at: parameters, vector: probe, into: &product)
            let first = sample == 0
            diagonal.withUnsafeMutableBufferPointer { d in
                probe.values.withUnsafeBufferPointer { z in
                    product.values.withUnsafeBufferPointer { hz in
                        for i in 0..<d.count {
                            let term = scale * z[i] * hz[i]
                            d[i] = first ? term : d[i] + term
                        }
                    }
                }
            }
        }
    }
}
