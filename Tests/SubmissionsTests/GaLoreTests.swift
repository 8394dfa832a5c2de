import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Submissions

/// Householder reflection I − 2vvᵀ/‖v‖² (orthogonal), row-major, built by hand so the
/// SVD under test is checked against a factorisation known in advance.
func householder(_ n: Int, seed: UInt64) -> [Float] {
    var generator = RandomGenerator(seed: seed)
    let v = (0..<n).map { _ in generator.nextNormal() }
    let norm = v.reduce(0) { $0 + $1 * $1 }
    var h = [Float](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { h[i * n + j] = (i == j ? 1 : 0) - 2 * v[i] * v[j] / norm } }
    return h
}

/// A = H₁[:, :k]·diag(σ)·H₂[:k, :] for Householder H₁ (m × m), H₂ (n × n), σ = k, k−1, …, 1.
func matrixWithKnownSVD(rows m: Int, columns n: Int) -> (a: [Float], left: [Float], right: [Float]) {
    let h1 = householder(m, seed: 1), h2 = householder(n, seed: 2)
    let k = min(m, n)
    var a = [Float](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n {
        var x: Float = 0
        for p in 0..<k { x += h1[i * m + p] * Float(k - p) * h2[p * n + j] }
        a[i * n + j] = x
    } }
    return (a, h1, h2)
}

@Suite struct GaLoreTests {
    @Test(arguments: [(5, 9, 3), (9, 5, 2), (6, 6, 6)])
    func projectorIsOrthonormalAndSpansTheLeadingSingularVectors(rows m: Int, columns n: Int, rank r: Int) {
        let (a, h1, h2) = matrixWithKnownSVD(rows: m, columns: n)
        var projector = LowRankProjector(rows: m, columns: n, rank: r)
        var workspace = LAPACKWorkspace()
        let k = min(m, n)
        var u = [Float](repeating: 0, count: m * k), s = [Float](repeating: 0, count: k), vt = [Float](repeating: 0, count: k * n)
        a.withUnsafeBufferPointer { g in
            projector.refresh(from: g.baseAddress!, workspace: &workspace, u: &u, s: &s, vt: &vt)
        }
        #expect(zip(s, (0..<k).map { Float(k - $0) }).allSatisfy { abs($0 - $1) < 1e-4 })
        let b = projector.basis
        // Vectors of the basis: columns of P (left) or rows of Vᵀ_r (right).
        let length = projector.left ? m : n
        func vector(_ j: Int) -> [Float] {
            projector.left ? (0..<m).map { b[$0 * r + j] } : Array(b[(j * n)..<((j + 1) * n)])
        }
        for i in 0..<r { for j in 0..<r {
            let dot = zip(vector(i), vector(j)).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(dot - (i == j ? 1 : 0)) < 1e-5)
        } }
        // Each basis vector lies in the span of the known leading r singular vectors.
        for j in 0..<r {
            let x = vector(j)
            var inside: Float = 0
            for p in 0..<r {
                let known = projector.left ? (0..<length).map { h1[$0 * m + p] } : Array(h2[(p * n)..<((p + 1) * n)])
                let c = zip(x, known).reduce(0) { $0 + $1.0 * $1.1 }
                inside += c * c
            }
            #expect(abs(inside - 1) < 1e-4)
        }
    }

    @Test func fullRankOnAVectorLikeMatrixIsAdamW() throws {
        // 1 × n: the left basis is ±1, so the projected Adam step is Adam's. No decay: GaLore
        // decays after the update (as galore-torch), AdamW before it (as optax).
        let workload = ToyRegression(features: 16, hidden: 0, outputs: 1)
        let hp = Hyperparameters([
            "learning_rate": 1e-2, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": 0, "rank": 1,
            "update_proj_gap": 7, "scale": 1, "warmup_fraction": 0,
        ])
        let galore = try SubmissionDriver.run(GaLore.self, on: workload, hyperparameters: hp, steps: 30)
        let adamw = try SubmissionDriver.run(AdamW.self, on: workload, hyperparameters: hp, steps: 30)
        #expect(SubmissionDriver.maxRelativeDifference(galore.parameters, adamw.parameters) < 1e-5)
    }

    /// The decay multiplies the updated parameters, θ ← (θ − η·α·P·N)(1 − ηλ), on the
    /// low-rank matrices and the AdamW vectors alike (galore-torch's order): one step with
    /// λ = 0.5 is the step with λ = 0 scaled by 1 − ηλ = 0.95, where decaying first would
    /// be off by η²λ·|u| ≈ 5e-3.
    @Test func weightDecayScalesTheUpdatedParameters() throws {
        var layout = ParameterLayout()
        layout.add("w", shape: [2, 3], kind: .weight)
        layout.add("b", shape: [2], kind: .bias)
        let workload = ReplayWorkload(name: "decay", layout: layout, gradients: [[0.3, -1, 2, 0.5, 0.1, -0.7, 1, -2]])
        func oneStep(decay: Double) throws -> [Float] {
            let hp = Hyperparameters([
                "learning_rate": 0.1, "one_minus_beta1": 0.1, "beta2": 0.999, "weight_decay": decay, "rank": 2,
                "update_proj_gap": 1, "scale": 1, "warmup_fraction": 0, "min_lr_factor": 1,
            ])
            var galore = try GaLore(info: workload.info, hyperparameters: hp, budget: Budget(maxRuntimeSeconds: .infinity, stepHint: 1))
            var parameters = ParameterSet(layout: layout, values: [1, 2, -1, 0.5, 1.5, -2, 1, -1])
            let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 0))
            oracle.drawBatch()
            try galore.step(&parameters, oracle: oracle, context: StepContext(step: 0, stepHint: 1, submissionTime: 0, lastEvaluation: nil))
            return parameters.values
        }
        let undecayed = try oneStep(decay: 0)
        let decayed = try oneStep(decay: 0.5)
        for (x, y) in zip(decayed, undecayed) { #expect(abs(x - 0.95 * y) < 1e-6, "\(x) vs 0.95 × \(y)") }
    }

    @Test func updateIsAdamInTheSubspaceMappedBack() throws {
        let workload = ToyRegression()
        let hidden = workload.info.layout.views[0]  // 8 × 12: left basis, rank 3
        let hp = GaLore.defaultHyperparameters.merging(Hyperparameters(["rank": 3, "update_proj_gap": 5, "warmup_fraction": 0]))
        var bases: [[Float]] = []
        var m = [Float](repeating: 0, count: 3 * 12), v = m
        _ = try SubmissionDriver.run(GaLore.self, on: workload, hyperparameters: hp, steps: 12) { step, before, after, galore in
            let projector = try #require(galore.projectors[0])
            #expect(projector.left && projector.rank == 3)
            bases.append(projector.basis)
            let p = projector.basis
            let g = Array(galore.gradient.values[hidden.range])
            let rate = Float(galore.schedule.learningRate(at: step))
            let c1 = Float(1 - pow(0.9, Double(step + 1))), c2 = Float(1 - pow(0.999, Double(step + 1)))
            var n = [Float](repeating: 0, count: 36)
            for a in 0..<3 { for c in 0..<12 {
                var r: Float = 0
                for i in 0..<8 { r += p[i * 3 + a] * g[i * 12 + c] }
                let k = a * 12 + c
                m[k] = 0.9 * m[k] + (1 - Float(0.9)) * r
                v[k] = 0.999 * v[k] + (1 - Float(0.999)) * r * r
                n[k] = (m[k] / c1) / ((v[k] / c2).squareRoot() + 1e-8)
            } }
            for i in 0..<8 { for c in 0..<12 {
                var back: Float = 0
                for a in 0..<3 { back += p[i * 3 + a] * n[a * 12 + c] }
                let index = hidden.offset + i * 12 + c
                #expect(abs((before.values[index] - after.values[index]) - rate * 0.25 * back) <= 1e-6 + 1e-4 * abs(rate * back))
            } }
        }
        // The basis changes at steps 0, 5, 10 only.
        for t in 1..<12 {
            #expect((bases[t] == bases[t - 1]) == (t % 5 != 0), "step \(t)")
        }
    }

    @Test func stateIsLowRankMomentsPlusBasis() throws {
        // 256 × 256 at rank 128: Vᵀ_r (128 × 256) and two 256 × 128 moments.
        #expect(try SubmissionDriver.referenceStateBytes(GaLore.self) == 3 * 32768 * 4)  // 393,216
        #expect(try SubmissionDriver.referenceStateBytes(GaLore.self, overrides: Hyperparameters(["rank": 16])) == 3 * 4096 * 4)
    }

    @Test func smokeTrial() throws {
        try SubmissionDriver.smokeTrial(GaLore.self)
    }

    @Test func invalidHyperparameterIsRejectedByName() {
        let workload = ToyRegression()
        #expect(throws: HyperparameterError.invalid(name: "rank", value: 0, expected: "an integer in 1...1048576")) {
            _ = try GaLore(
                info: workload.info, hyperparameters: GaLore.defaultHyperparameters.merging(Hyperparameters(["rank": 0])),
                budget: Budget(maxRuntimeSeconds: 1, stepHint: 10))
        }
    }
}
