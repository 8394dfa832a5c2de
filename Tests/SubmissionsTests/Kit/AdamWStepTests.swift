import Tensor
import Testing
@testable import Submissions

@Suite struct AdamWStepTests {
    static let decay = MomentDecay(beta1: 0.9, beta2: 0.999)

    /// One element by hand: t = 1 so the corrections are 1−β, and the step is the paper's.
    @Test func firstStepIsTheBiasCorrectedDirectionPlusDecay() {
        let step = AdamWStep(
            decay: Self.decay, corrections: Self.decay.corrections(atStep: 0), epsilon: 1e-8, rate: 0.1, weightDecay: 0.5)
        var (theta, m, v): (Float, Float, Float) = (2, 0, 0)
        step(&theta, &m, &v, 0.25)
        let (b1, b2): (Float, Float) = (0.9, 0.999)
        #expect(m == (1 - b1) * 0.25)
        #expect(v == (1 - b2) * 0.25 * 0.25)
        // m̂ = v̂^{1/2} = 0.25 (to rounding), so the direction is ≈ 1 and θ ← 2 − 0.1·(1 + 0.5·2).
        #expect(abs(theta - 1.8) < 1e-6)
    }

    /// The scalar rule and `applyAdamW`'s SIMD kernel give the same bits, over whole lanes
    /// and the tail (37 = 2·16 + 5 elements), for several steps.
    @Test func scalarRuleAndFusedKernelAgreeBitForBit() {
        var generator = RandomGenerator(seed: 7)
        let count = 37
        var moments = MomentBuffers(decay: Self.decay, count: count)
        var (m, v) = (moments.first, moments.second)
        var fused = (0..<count).map { _ in generator.nextNormal() }
        var scalar = fused
        for stepIndex in 0..<4 {
            let gradient = (0..<count).map { _ in generator.nextNormal() }
            moments.applyAdamW(to: &fused, gradient: gradient, step: stepIndex, rate: 0.01, epsilon: 1e-8, weightDecay: 0.1)
            let step = AdamWStep(
                decay: Self.decay, corrections: Self.decay.corrections(atStep: stepIndex), epsilon: 1e-8, rate: 0.01,
                weightDecay: 0.1)
            FusedUpdate.apply(&scalar, &m, &v, gradient: gradient) { step(&$0, &$1, &$2, $3) }
        }
        #expect(fused.map(\.bitPattern) == scalar.map(\.bitPattern))
        #expect(moments.first.map(\.bitPattern) == m.map(\.bitPattern))
        #expect(moments.second.map(\.bitPattern) == v.map(\.bitPattern))
    }
}
