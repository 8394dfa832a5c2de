import Core
import Foundation

/// Adam's two decay rates, β₁ for the first moment and β₂ for the second, and the
/// element-wise averages and bias corrections built from them.
///
/// A value type with no buffers, so an update's per-element closure can capture it while
/// the moment buffers themselves are passed `inout` (see `FusedUpdate`). Every function is
/// the exact arithmetic the Adam family has always used, `β·m + (1−β)·g` in that order,
/// so a submission moved onto it keeps its bits.
struct MomentDecay: Sendable {
    /// β₁: the first moment's decay.
    let beta1: Float
    /// β₂: the second moment's decay.
    let beta2: Float

    init(beta1: Float, beta2: Float) {
        self.beta1 = beta1
        self.beta2 = beta2
    }

    /// β₁ from `one_minus_beta1` (AlgoPerf's form, in (0, 1]) and β₂ from `beta2` (in [0, 1));
    /// the names and ranges users see in errors are `Hyperparameters.decayRate`'s.
    init(hyperparameters: Hyperparameters, beta2Name: String = "beta2") throws {
        beta1 = Float(try hyperparameters.decayRate(oneMinus: "one_minus_beta1"))
        beta2 = Float(try hyperparameters.decayRate(beta2Name))
    }

    /// `β₁m + (1−β₁)g`: the first moment's moving average.
    @inline(__always)
    func first(_ m: Float, _ g: Float) -> Float { beta1 * m + (1 - beta1) * g }

    /// `β₂v + (1−β₂)g²`: the second moment's moving average of squares.
    @inline(__always)
    func second(_ v: Float, _ g: Float) -> Float { beta2 * v + (1 - beta2) * g * g }

    /// The bias corrections `1−β₁ᵗ` and `1−β₂ᵗ` at the 0-based `step` (t = step + 1).
    func corrections(atStep step: Int) -> BiasCorrections { corrections(afterSteps: step + 1) }

    /// The bias corrections `1−β₁ᵗ` and `1−β₂ᵗ` after `t` averaging steps (t ≥ 1; a
    /// method whose moments restart counts from the restart), computed in Double and
    /// rounded once.
    func corrections(afterSteps t: Int) -> BiasCorrections {
        let t = Double(t)
        return BiasCorrections(first: Float(1 - pow(Double(beta1), t)), second: Float(1 - pow(Double(beta2), t)))
    }
}

/// `1−β₁ᵗ` and `1−β₂ᵗ`: Adam's bias corrections at one step.
struct BiasCorrections: Sendable {
    /// `1−β₁ᵗ`.
    let first: Float
    /// `1−β₂ᵗ`.
    let second: Float

    /// Adam's direction with ε outside the root, by division as optax writes it:
    /// `(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`.
    @inline(__always)
    func direction(m: Float, v: Float, epsilon: Float) -> Float {
        (m / first) / ((v / second).squareRoot() + epsilon)
    }

    /// The step `η·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)` rounded in that order (η times m̂
    /// first, then the division), the order Adam, AMSGrad-style and AdaBelief-style loops
    /// use; it differs from `rate * direction(…)` in the last bit, so each method keeps
    /// the one its recorded trajectories were made with.
    @inline(__always)
    func step(rate: Float, m: Float, v: Float, epsilon: Float) -> Float {
        rate * (m / first) / ((v / second).squareRoot() + epsilon)
    }
}
