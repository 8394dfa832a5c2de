import Core
import Foundation
import NN
import Testing
@testable import Submissions

/// Muon's training-mode choices (PyTorch (out, in) layout, convolutions flattened,
/// embeddings to Adam) against a naive double-precision Newton–Schulz, with the authors'
/// momentum and Adam (the default) and with optax's bias-corrected Nesterov and NAdam (the
/// two flags); the optax and reference cases cover the rest.
@Suite struct MuonTests {
    @Test(arguments: [false, true])
    func firstStepMatchesNaiveNewtonSchulz(optaxMomentum: Bool) throws {
        var layout = ParameterLayout()
        layout.add("wide", shape: [3, 5], kind: .weight)
        layout.add("tall", shape: [5, 3], kind: .weight)
        layout.add("table", shape: [4, 3], kind: .embedding)
        layout.add("conv", shape: [2, 1, 2, 2], kind: .convWeight)
        layout.add("bias", shape: [3], kind: .bias)
        let gradient: [Float] = (0..<layout.count).map { (i: Int) -> Float in Float((i * 29) % 23) / 11 - 1 }
        let workload = ReplayWorkload(name: "muon", layout: layout, gradients: [gradient])
        let oracle = Oracle(workload: workload, stream: workload.makeDataStream(seed: 0))
        let settings = Hyperparameters([
            "learning_rate": 0.1, "one_minus_momentum": 0.05, "warmup_fraction": 0, "min_lr_factor": 1, "weight_decay": 0,
            "momentum_bias_correction": optaxMomentum ? 1 : 0, "adam_nesterov": optaxMomentum ? 1 : 0,
        ])
        var muon = try Muon(info: workload.info, hyperparameters: settings, budget: Budget(maxRuntimeSeconds: 1, stepHint: 1))
        #expect(muon.orthogonalised == [true, true, false, true, false])
        let start = ParameterSet(layout: layout, repeating: 0)
        var parameters = start
        oracle.drawBatch()
        try muon.step(&parameters, oracle: oracle, context: StepContext(step: 0, stepHint: 1, submissionTime: 0, lastEvaluation: nil))

        let beta = 0.95
        for view in layout.views {
            let g = view.range.map { Double(gradient[$0]) }
            let moved = view.range.map { -Double(parameters.values[$0]) / 0.1 }
            if view.name == "table" || view.name == "bias" {
                // NAdam's first step: (β/(1+β) + 1)·sign(g) with β = 0.9; Adam's: sign(g).
                let size = optaxMomentum ? 0.9 / 1.9 + 1 : 1
                for (d, gi) in zip(moved, g) {
                    #expect(abs(d - size * (gi > 0 ? 1 : -1)) < 1e-4, "\(view.name)")
                }
                continue
            }
            let (rows, columns) = view.matrixShape
            // m = (1−β)g; optax: m̂ = β·m/(1−β²) + (1−β)g/(1−β) = g·(β/(1+β) + 1);
            // the authors: u = (1−β)g + βm = (1−β)(1+β)g.
            let factor = optaxMomentum ? beta / (1 + beta) + 1 : (1 - beta) * (1 + beta)
            let corrected = g.map { $0 * factor }
            let expected = Self.newtonSchulz(corrected, rows: rows, columns: columns)
            let scale = max(1, Double(rows) / Double(columns)).squareRoot()  // fan_out = rows
            for (d, e) in zip(moved, expected) {
                #expect(abs(d - scale * e) < 1e-4, "\(view.name)")
            }
        }
    }

    /// Five quintic Newton–Schulz steps on the transposed-if-tall matrix, in double.
    static func newtonSchulz(_ m: [Double], rows: Int, columns: Int) -> [Double] {
        let tall = rows > columns
        let (r, c) = tall ? (columns, rows) : (rows, columns)
        var x = [Double](repeating: 0, count: r * c)
        for i in 0..<rows { for j in 0..<columns {
            if tall { x[j * c + i] = m[i * columns + j] } else { x[i * c + j] = m[i * columns + j] }
        } }
        let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        x = x.map { $0 / (norm + 1e-8) }
        for _ in 0..<5 {
            var a = [Double](repeating: 0, count: r * r)
            for i in 0..<r { for j in 0..<r { for k in 0..<c { a[i * r + j] += x[i * c + k] * x[j * c + k] } } }
            var b = a.map { -4.7750 * $0 }
            for i in 0..<r { for j in 0..<r { for k in 0..<r { b[i * r + j] += 2.0315 * a[i * r + k] * a[k * r + j] } } }
            var next = x.map { 3.4445 * $0 }
            for i in 0..<r { for j in 0..<c { for k in 0..<r { next[i * c + j] += b[i * r + k] * x[k * c + j] } } }
            x = next
        }
        var result = [Double](repeating: 0, count: rows * columns)
        for i in 0..<rows { for j in 0..<columns {
            result[i * columns + j] = tall ? x[j * c + i] : x[i * c + j]
        } }
        return result
    }
}
