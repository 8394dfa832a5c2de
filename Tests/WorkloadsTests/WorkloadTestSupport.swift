import Core
import Foundation
import NN
import Tensor
import Testing
@testable import Workloads

/// Shared helpers for the workload tests: spec files, gradient and HVP checks against
/// central differences, and small training loops.
enum WorkloadTestSupport {
    /// The repository's `workloads/` folder.
    static var specDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("workloads").path
    }

    /// The real spec `workloads/<name>.json`.
    static func realSpec(_ name: String) throws -> WorkloadSpec {
        try WorkloadSpec.load(contentsOf: (specDirectory as NSString).appendingPathComponent("\(name).json"))
    }

    /// The real spec's variant called `variant` (or the base spec when nil), with `overrides`
    /// merged into its settings (for small, fast test instances).
    static func spec(_ name: String, variant: String? = nil, overrides: [String: JSONValue] = [:]) throws -> WorkloadSpec {
        let base = try realSpec(name)
        var chosen = base
        if let variant {
            chosen = try #require(base.variants.first { $0.name == variant }, "no variant \(variant)")
        }
        for (key, value) in overrides {
            #expect(chosen.settings[key] != nil, "override of unknown setting \(key)")
            chosen.settings[key] = value
        }
        return chosen
    }

    /// A random direction in parameter space, `N(0, 1)` per coordinate.
    static func randomDirection(like parameters: ParameterSet, seed: UInt64) -> ParameterSet {
        var generator = RandomGenerator(seed: seed)
        var v = ParameterSet.zeros(like: parameters)
        v.values.withUnsafeMutableBufferPointer { generator.fillNormal($0) }
        return v
    }

    /// Compares the analytic gradient of `loss` at `samples` random coordinates with
    /// central differences `(L(θ + h e_i) − L(θ − h e_i)) / 2h` (loss values widened to
    /// Double). Passes when every `|analytic − numeric| ≤ tolerance · max(|analytic|,
    /// |numeric|, floor)`, where `floor = 1e-2 ·` the RMS of the checked analytic entries.
    static func checkGradient<W: Workload>(
        _ workload: W, parameters: ParameterSet, batch: W.Batch, samples: Int = 30, step: Float = 1e-2,
        tolerance: Double = 1e-2, seed: UInt64 = 3, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var gradient = ParameterSet.zeros(like: parameters)
        _ = workload.lossAndGradient(parameters, batch: batch, into: &gradient)
        var generator = RandomGenerator(seed: seed)
        let indices = parameters.values.count <= samples
            ? Array(0..<parameters.values.count) : Array(generator.permutation(parameters.values.count).prefix(samples))
        var pairs: [(Int, Double, Double)] = []
        for i in indices {
            var plus = parameters, minus = parameters
            plus.values[i] += step
            minus.values[i] -= step
            let h = Double(plus.values[i]) - Double(minus.values[i])
            let numeric = (Double(workload.loss(plus, batch: batch)) - Double(workload.loss(minus, batch: batch))) / h
            pairs.append((i, Double(gradient.values[i]), numeric))
        }
        compare(pairs, tolerance: tolerance, what: "gradient", sourceLocation: sourceLocation)
    }

    /// Compares `hessianVectorProduct` with central differences of gradients along `v`
    /// (step `h` relative to `‖v‖`), on every coordinate, same criterion as `checkGradient`.
    static func checkHessianVectorProduct<W: Workload>(
        _ workload: W, parameters: ParameterSet, batch: W.Batch, vector v: ParameterSet, step: Double = 1e-2,
        tolerance: Double = 2e-2, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var hv = ParameterSet.zeros(like: parameters)
        workload.hessianVectorProduct(parameters, batch: batch, vector: v, into: &hv)
        let numeric = centralDifferenceHVP(workload, parameters: parameters, batch: batch, vector: v, step: step)
        let pairs = (0..<parameters.values.count).map { ($0, Double(hv.values[$0]), numeric[$0]) }
        compare(pairs, tolerance: tolerance, what: "Hessian-vector product", sourceLocation: sourceLocation)
    }

    /// `(∇L(θ + εv) − ∇L(θ − εv)) / 2ε` with `ε = step / ‖v‖`.
    static func centralDifferenceHVP<W: Workload>(
        _ workload: W, parameters: ParameterSet, batch: W.Batch, vector v: ParameterSet, step: Double
    ) -> [Double] {
        let norm = v.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let epsilon = Float(step / norm)
        var plus = parameters, minus = parameters
        for i in plus.values.indices {
            plus.values[i] += epsilon * v.values[i]
            minus.values[i] -= epsilon * v.values[i]
        }
        var gp = ParameterSet.zeros(like: parameters), gm = ParameterSet.zeros(like: parameters)
        _ = workload.lossAndGradient(plus, batch: batch, into: &gp)
        _ = workload.lossAndGradient(minus, batch: batch, into: &gm)
        return (0..<parameters.values.count).map { (Double(gp.values[$0]) - Double(gm.values[$0])) / (2 * Double(epsilon)) }
    }

    static func compare(_ pairs: [(Int, Double, Double)], tolerance: Double, what: String, sourceLocation: SourceLocation) {
        guard !pairs.isEmpty else { return }
        let rms = (pairs.reduce(0.0) { $0 + $1.1 * $1.1 } / Double(pairs.count)).squareRoot()
        var worst = 0.0, worstText = ""
        for (i, analytic, numeric) in pairs {
            let denominator = max(abs(analytic), abs(numeric), 1e-2 * rms, 1e-8)
            let error = abs(analytic - numeric) / denominator
            if error > worst { (worst, worstText) = (error, "[\(i)] analytic \(analytic) numeric \(numeric)") }
        }
        #expect(worst <= tolerance, "\(what): worst relative error \(worst) at \(worstText)", sourceLocation: sourceLocation)
    }

    /// Plain gradient descent with a fixed rate on fresh batches; returns (first, last) batch losses.
    static func gradientDescent<W: Workload>(
        _ workload: W, seed: UInt64, steps: Int, learningRate: Float, batchSize: Int? = nil
    ) -> (initial: ParameterSet, final: ParameterSet) {
        let initial = workload.initialParameters(seed: seed)
        var p = initial
        let stream = workload.makeDataStream(seed: seed)
        var g = ParameterSet.zeros(like: p)
        for _ in 0..<steps {
            let batch = stream.nextBatch(size: batchSize ?? workload.info.defaultBatchSize)
            _ = workload.lossAndGradient(p, batch: batch, into: &g)
            for i in p.values.indices { p.values[i] -= learningRate * g.values[i] }
        }
        return (initial, p)
    }

    /// Adam (Kingma & Ba) with a cosine-decayed rate, for calibration probes.
    static func adam<W: Workload>(
        _ workload: W, seed: UInt64, steps: Int, learningRate: Float, batchSize: Int? = nil,
        onEvaluation: ((Int, ParameterSet) -> Bool)? = nil, evaluateEvery: Int = 100
    ) -> ParameterSet {
        var p = workload.initialParameters(seed: seed)
        let stream = workload.makeDataStream(seed: seed)
        var g = ParameterSet.zeros(like: p)
        var m = [Float](repeating: 0, count: p.values.count), s = m
        let beta1: Float = 0.9, beta2: Float = 0.999
        for t in 1...steps {
            let batch = stream.nextBatch(size: batchSize ?? workload.info.defaultBatchSize)
            _ = workload.lossAndGradient(p, batch: batch, into: &g)
            let rate = learningRate * Float(0.5 * (1 + cos(Double.pi * Double(t - 1) / Double(steps))))
            let c1 = 1 - pow(beta1, Float(t)), c2 = 1 - pow(beta2, Float(t))
            for i in p.values.indices {
                m[i] = beta1 * m[i] + (1 - beta1) * g.values[i]
                s[i] = beta2 * s[i] + (1 - beta2) * g.values[i] * g.values[i]
                p.values[i] -= rate * (m[i] / c1) / ((s[i] / c2).squareRoot() + 1e-8)
            }
            if let onEvaluation, t % evaluateEvery == 0, onEvaluation(t, p) { break }
        }
        return p
    }

    /// Mean seconds per training step (batch draw + loss and gradient) at the default batch size.
    static func stepTime<W: Workload>(_ workload: W, steps: Int = 100) -> Double {
        let p = workload.initialParameters(seed: 1)
        let stream = workload.makeDataStream(seed: 1)
        var g = ParameterSet.zeros(like: p)
        let start = Date()
        for _ in 0..<steps {
            let batch = stream.nextBatch(size: workload.info.defaultBatchSize)
            _ = workload.lossAndGradient(p, batch: batch, into: &g)
        }
        return Date().timeIntervalSince(start) / Double(steps)
    }

    /// Whether the calibration probes (slow, print measurements) should run.
    static var calibrationEnabled: Bool { ProcessInfo.processInfo.environment["OPTBENCH_CALIBRATE"] != nil }
}
