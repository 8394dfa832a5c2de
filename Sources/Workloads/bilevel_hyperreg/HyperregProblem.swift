import Core
import Foundation
import NN
import Tensor

/// Per-feature L2 regularisation of logistic regression as a bilevel problem (as in the
/// bilevel benchmarks on ijcnn1), on seeded synthetic data.
///
/// Data: features `x ~ N(0, I_d)`; a true weight vector nonzero on the first
/// `informative_features` coordinates (`N(0, 1)` entries, rescaled to norm
/// `signal_strength`); labels `y = ±1` with `P(y = 1 | x) = σ(w_trueᵀ x)`. The other
/// features are pure noise, so good hyperparameters regularise them strongly.
///
/// Inner (`z = w`, layout `weight` 1 × d):
/// `g(w, λ) = (1/|B|) Σ_{i∈B} log(1 + exp(−y_i x_iᵀ w)) + ½ Σ_j exp(λ_j) w_j²`
/// (the penalty is not averaged, so minibatch `g` is unbiased).
/// Outer (`x = λ`, layout `log_regularization`, d): `f(w) = mean validation logistic
/// loss`, independent of `λ`. Exact derivatives:
/// `∇²_ww g v = Xᵀ D X v / |B| + e^λ ⊙ v` with `D_ii = σ(m_i) σ(−m_i)`, `m_i = y_i x_iᵀ w`;
/// `∇_λ g = ½ e^λ ⊙ w²`; `∇²_λw g · v = e^λ ⊙ w ⊙ v`. Metric: validation logistic loss
/// at the inner solution (minimise); test metric: the test logistic loss.
public final class HyperregProblem: BilevelProblem {
    public let train: ClassificationData
    public let validation: ClassificationData
    public let test: ClassificationData
    public let trueWeights: [Float]
    public let outerLayout: ParameterLayout
    public let innerLayout: ParameterLayout
    let features: Int
    let initialLogRegularization: Float

    /// Reads `features`, `informative_features`, `signal_strength`, the three set sizes,
    /// `initial_log_regularization` and `data_seed` from a spec's settings.
    public convenience init(_ reader: inout JSONObjectReader) throws {
        let features = try reader.integer("features", in: 1...100_000)
        let informative = try reader.integer("informative_features", in: 1...100_000)
        guard informative <= features else {
            throw InputError(source: reader.source, field: reader.fieldPath("informative_features"), message: "must be ≤ features (\(features)), found \(informative)")
        }
        self.init(
            features: features, informativeFeatures: informative,
            signalStrength: try reader.positiveNumber("signal_strength"),
            trainExamples: try reader.integer("train_examples", in: 1...10_000_000),
            validationExamples: try reader.integer("validation_examples", in: 1...10_000_000),
            testExamples: try reader.integer("test_examples", in: 1...10_000_000),
            initialLogRegularization: try reader.number("initial_log_regularization"),
            dataSeed: UInt64(try reader.integer("data_seed", in: 0...Int(Int32.max))))
    }

    public init(
        features: Int, informativeFeatures: Int, signalStrength: Double, trainExamples: Int, validationExamples: Int,
        testExamples: Int, initialLogRegularization: Double, dataSeed: UInt64
    ) {
        self.features = features
        self.initialLogRegularization = Float(initialLogRegularization)
        var teacher = RandomGenerator(seed: StableHash.derive(dataSeed, "hyperreg.teacher"))
        var w = [Float](repeating: 0, count: features)
        for j in 0..<informativeFeatures { w[j] = teacher.nextNormal() }
        let norm = Float(VectorMath.norm(w))
        for j in w.indices { w[j] *= Float(signalStrength) / max(norm, 1e-12) }
        trueWeights = w
        func sample(_ count: Int, _ label: String) -> ClassificationData {
            var generator = RandomGenerator(seed: StableHash.derive(dataSeed, "hyperreg.\(label)"))
            var x = [Float](repeating: 0, count: count * features)
            x.withUnsafeMutableBufferPointer { generator.fillNormal($0) }
            var labels = [Int](repeating: 0, count: count)
            for i in 0..<count {
                var margin = 0.0
                for j in 0..<features { margin += Double(x[i * features + j]) * Double(w[j]) }
                labels[i] = generator.nextDouble() < 1 / (1 + exp(-margin)) ? 1 : 0
            }
            return ClassificationData(count: count, features: features, inputs: x, labels: labels)
        }
        train = sample(trainExamples, "train")
        validation = sample(validationExamples, "validation")
        test = sample(testExamples, "test")
        var outer = ParameterLayout()
        outer.add("log_regularization", shape: [features], kind: .bias)
        outerLayout = outer
        var inner = ParameterLayout()
        inner.add("weight", shape: [1, features], kind: .weight)
        innerLayout = inner
    }

    public var innerExampleCount: Int { train.count }
    public var outerExampleCount: Int { validation.count }

    /// Every `λ_j = initial_log_regularization`.
    public func initialOuter() -> ParameterSet { ParameterSet(layout: outerLayout, repeating: initialLogRegularization) }
    /// `w = 0`.
    public func initialInner() -> ParameterSet { ParameterSet(layout: innerLayout) }

    // MARK: Logistic pieces

    /// Signed margins `m_i = y_i x_iᵀ w` of the selected rows.
    private func margins(_ data: ClassificationData, _ rows: [Float], _ labels: [Int], _ w: [Float]) -> [Float] {
        let n = labels.count
        var m = [Float](repeating: 0, count: n)
        guard n > 0 else { return m }
        rows.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { wp in
                m.withUnsafeMutableBufferPointer { mp in
                    BLAS.gemm(.none, .transposed, m: n, n: 1, k: features, a: x.baseAddress!, b: wp.baseAddress!, c: mp.baseAddress!)
                }
            }
        }
        for i in 0..<n where labels[i] == 0 { m[i] = -m[i] }
        return m
    }

    /// `log(1 + e^{−m})`, stable for any sign.
    @inline(__always) static func softplusOfNegative(_ m: Float) -> Double {
        let md = Double(m)
        return max(-md, 0) + log1p(exp(-abs(md)))
    }

    @inline(__always) static func sigmoid(_ t: Float) -> Float { 1 / (1 + expf(-t)) }

    /// `Xᵀ r` for the selected rows (length d).
    private func backProject(_ rows: [Float], _ r: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: features)
        guard !r.isEmpty else { return out }
        rows.withUnsafeBufferPointer { x in
            r.withUnsafeBufferPointer { rp in
                out.withUnsafeMutableBufferPointer { o in
                    BLAS.gemm(.transposed, .none, m: 1, n: features, k: r.count, a: rp.baseAddress!, b: x.baseAddress!, c: o.baseAddress!)
                }
            }
        }
        return out
    }

    /// Mean logistic loss on the selected rows and its gradient in `w`.
    private func logistic(_ data: ClassificationData, _ examples: [Int]?, _ w: [Float], gradient: Bool) -> (Double, [Float]?) {
        let (rows, labels, _) = data.rows(examples)
        let n = labels.count
        guard n > 0 else { return (0, gradient ? [Float](repeating: 0, count: features) : nil) }
        let m = margins(data, rows, labels, w)
        var total = 0.0
        for value in m { total += Self.softplusOfNegative(value) }
        guard gradient else { return (total / Double(n), nil) }
        var r = [Float](repeating: 0, count: n)
        for i in 0..<n { r[i] = (labels[i] == 1 ? -1 : 1) * Self.sigmoid(-m[i]) / Float(n) }
        return (total / Double(n), backProject(rows, r))
    }

    // MARK: BilevelProblem

    public func innerValue(_ z: ParameterSet, _ x: ParameterSet, examples: [Int]?) -> Float {
        let (data, _) = logistic(train, examples, z.values, gradient: false)
        var penalty = 0.0
        for j in 0..<features { penalty += 0.5 * exp(Double(x.values[j])) * Double(z.values[j]) * Double(z.values[j]) }
        return Float(data + penalty)
    }

    public func innerGradients(_ z: ParameterSet, _ x: ParameterSet, examples: [Int]?, dz: inout ParameterSet, dx: inout ParameterSet) -> Float {
        let (data, gradient) = logistic(train, examples, z.values, gradient: true)
        var penalty = 0.0
        for j in 0..<features {
            let strength = expf(x.values[j]), w = z.values[j]
            penalty += 0.5 * Double(strength) * Double(w) * Double(w)
            dz.values[j] = gradient![j] + strength * w
            dx.values[j] = 0.5 * strength * w * w
        }
        return Float(data + penalty)
    }

    public func outerValue(_ z: ParameterSet, _ x: ParameterSet, examples: [Int]?) -> Float {
        Float(logistic(validation, examples, z.values, gradient: false).0)
    }

    public func outerGradients(_ z: ParameterSet, _ x: ParameterSet, examples: [Int]?, dz: inout ParameterSet, dx: inout ParameterSet) -> Float {
        let (value, gradient) = logistic(validation, examples, z.values, gradient: true)
        dz.values = gradient!
        dx.values = [Float](repeating: 0, count: features)
        return Float(value)
    }

    public func innerHessianVectorProduct(_ z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, examples: [Int]?, into result: inout ParameterSet) {
        let (rows, labels, _) = train.rows(examples)
        let n = labels.count
        var hv = [Float](repeating: 0, count: features)
        if n > 0 {
            let m = margins(train, rows, labels, z.values)
            // X v (unsigned) via the margin routine with all-positive labels.
            let u = margins(train, rows, [Int](repeating: 1, count: n), v.values)
            var r = [Float](repeating: 0, count: n)
            for i in 0..<n {
                let s = Self.sigmoid(m[i])
                r[i] = s * (1 - s) * u[i] / Float(n)
            }
            hv = backProject(rows, r)
        }
        for j in 0..<features { hv[j] += expf(x.values[j]) * v.values[j] }
        result.values = hv
    }

    public func crossDerivativeProduct(_ z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, examples: [Int]?, into result: inout ParameterSet) {
        for j in 0..<features { result.values[j] = expf(x.values[j]) * z.values[j] * v.values[j] }
    }

    /// Validation logistic loss as train loss and validation metric; test logistic loss.
    public func metrics(_ z: ParameterSet, _ x: ParameterSet) -> Metrics {
        let validationLoss = logistic(validation, nil, z.values, gradient: false).0
        return Metrics(trainLoss: validationLoss, validationMetric: validationLoss,
                       testMetric: logistic(test, nil, z.values, gradient: false).0)
    }
}

/// The `bilevel_hyperreg` workload: `HypergradientWorkload` over `HyperregProblem`.
public typealias BilevelHyperregWorkload = HypergradientWorkload<HyperregProblem>

extension HypergradientWorkload where Problem == HyperregProblem {
    /// Builds the workload a `bilevel_hyperreg` spec describes.
    public convenience init(hyperregSpec spec: WorkloadSpec) throws {
        try self.init(spec: spec) { try HyperregProblem(&$0) }
    }
}
