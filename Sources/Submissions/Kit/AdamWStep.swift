/// AdamW's per-element step as `AdamWKernel` computes it lane for lane, for updates that
/// cannot stream one plain buffer pair (a subset's shared second moment, 8-bit blocks,
/// the vector tensors of a matrix method): `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `θ ← θ − η·((m·c₁⁻¹)/(√(v·c₂⁻¹) + ε) + λθ)`, with the corrections' reciprocals taken
/// once a step. Using it (not a hand copy of the rule) keeps those methods equal to AdamW
/// bit for bit where their paper says they reduce to it.
struct AdamWStep: Sendable {
    /// β₁ and β₂.
    let decay: MomentDecay
    /// `1/(1−β₁ᵗ)` and `1/(1−β₂ᵗ)`.
    let inverse1: Float, inverse2: Float
    /// ε (outside the root), the step's rate η and the decoupled decay λ.
    let epsilon: Float, rate: Float, weightDecay: Float

    init(decay: MomentDecay, corrections: BiasCorrections, epsilon: Float, rate: Float, weightDecay: Float) {
        self.decay = decay
        (inverse1, inverse2) = (1 / corrections.first, 1 / corrections.second)
        self.epsilon = epsilon
        self.rate = rate
        self.weightDecay = weightDecay
    }

    /// Averages g into m and v, then steps θ with them.
    @inline(__always)
    func callAsFunction(_ theta: inout Float, _ m: inout Float, _ v: inout Float, _ g: Float) {
        let (first, second) = (decay.first(m, g), decay.second(v, g))
        (m, v) = (first, second)
        step(&theta, m: first, v: second)
    }

    /// Steps θ with moments already averaged: `θ ← θ − η·(d + λθ)`.
    @inline(__always)
    func step(_ theta: inout Float, m: Float, v: Float) {
        let direction = AdamWKernel.direction(m: m, v: v, inverse1: inverse1, inverse2: inverse2, epsilon: epsilon)
        theta -= rate * (direction + weightDecay * theta)
    }
}

extension MomentBuffers {
    /// AdamW's whole update of `theta` at the 0-based `step`, as one pass of the SIMD
    /// `AdamWKernel` over θ, m, v and g: the same arithmetic as `AdamWStep`, lane for lane.
    mutating func applyAdamW(
        to theta: inout [Float], gradient: [Float], step: Int, rate: Float, epsilon: Float, weightDecay: Float
    ) {
        let (decay, corrections) = (decay, decay.corrections(atStep: step))
        FusedUpdate.withPointers(&theta, &first, &second, gradient: gradient) { theta, m, v, g, count in
            AdamWKernel.apply(
                theta: theta, firstMoment: m, secondMoment: v, gradient: g, count: count, beta1: decay.beta1, beta2: decay.beta2,
                correction1: corrections.first, correction2: corrections.second, epsilon: epsilon, rate: rate, decay: weightDecay)
        }
    }
}
