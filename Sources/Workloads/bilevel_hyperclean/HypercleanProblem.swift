import Core
import Foundation
import NN
import Tensor

/// Data hyper-cleaning (Franceschi et al., 2017) as a bilevel problem, on a seeded
/// Gaussian mixture.
///
/// Data: `classes` class means `μ_c ~ N(0, s² I_d)` (`s = class_separation`); an example
/// of class `c` is `μ_c + N(0, I_d)`. Training labels are corrupted at rate
/// `corruption_rate`: each training label is, with that probability, replaced by a
/// uniformly drawn different class. Validation and test labels are clean.
///
/// Inner (`z`: `weight` C × d, `bias` C), with per-example weights `σ(u_i)`:
/// `g(z, u) = (1/|B|) Σ_{i∈B} σ(u_i) ℓ_i(z) + (μ/2) ‖W‖²`, `ℓ_i` the softmax cross-entropy
/// on the (corrupted) training label, `μ = inner_ridge` (not averaged, so minibatch `g`
/// is unbiased). Outer (`x = u`, layout `example_weight_logits`, one per training
/// example, initialised to 0): `f(z) = mean clean-validation cross-entropy`.
/// Exact derivatives, with `P` the softmax probabilities, `Y` the one-hot labels and
/// `a_i = V_W x_i + v_b`: `∇²_zz g · V = (1/|B|) Σ σ(u_i) (diag p_i − p_i p_iᵀ) a_i ⊗ [x_i; 1] + μ V_W`;
/// `∂g/∂u_i = σ'(u_i) ℓ_i / |B|`; `(∇²_uz g · V)_i = σ'(u_i) (p_i − y_i)ᵀ a_i / |B|`
/// (sums over repeated indices).
///
/// Metrics: validation cross-entropy as `trainLoss`; validation accuracy (maximise) and
/// test accuracy of the inner solution at the current `u`.
public final class HypercleanProblem: BilevelProblem {
    public let classes: Int
    public let features: Int
    public let ridge: Float
    public let train: ClassificationData
    public let validation: ClassificationData
    public let test: ClassificationData
    /// Whether each training label was corrupted.
    public let corrupted: [Bool]
    public let outerLayout: ParameterLayout
    public let innerLayout: ParameterLayout
    let weight: ParameterView
    let bias: ParameterView

    /// Reads `classes`, `features`, `class_separation`, `corruption_rate`, the set sizes,
    /// `inner_ridge` and `data_seed` from a spec's settings.
    public convenience init(_ reader: inout JSONObjectReader) throws {
        let rate = try reader.number("corruption_rate")
        guard (0...1).contains(rate) else {
            throw InputError(source: reader.source, field: reader.fieldPath("corruption_rate"), message: "must be in 0...1, found \(rate)")
        }
        self.init(
            classes: try reader.integer("classes", in: 2...1000),
            features: try reader.integer("features", in: 1...100_000),
            classSeparation: try reader.positiveNumber("class_separation"),
            corruptionRate: rate,
            trainExamples: try reader.integer("train_examples", in: 1...10_000_000),
            validationExamples: try reader.integer("validation_examples", in: 1...10_000_000),
            testExamples: try reader.integer("test_examples", in: 1...10_000_000),
            ridge: try reader.positiveNumber("inner_ridge"),
            dataSeed: UInt64(try reader.integer("data_seed", in: 0...Int(Int32.max))))
    }

    public init(
        classes: Int, features: Int, classSeparation: Double, corruptionRate: Double, trainExamples: Int,
        validationExamples: Int, testExamples: Int, ridge: Double, dataSeed: UInt64
    ) {
        self.classes = classes
        self.features = features
        self.ridge = Float(ridge)
        var meanGenerator = RandomGenerator(seed: StableHash.derive(dataSeed, "hyperclean.means"))
        var means = [Float](repeating: 0, count: classes * features)
        means.withUnsafeMutableBufferPointer { meanGenerator.fillNormal($0, standardDeviation: Float(classSeparation)) }
        func sample(_ count: Int, _ label: String) -> ClassificationData {
            var generator = RandomGenerator(seed: StableHash.derive(dataSeed, "hyperclean.\(label)"))
            var x = [Float](repeating: 0, count: count * features)
            x.withUnsafeMutableBufferPointer { generator.fillNormal($0) }
            var labels = [Int](repeating: 0, count: count)
            for i in 0..<count {
                let c = generator.nextInt(below: classes)
                labels[i] = c
                for j in 0..<features { x[i * features + j] += means[c * features + j] }
            }
            return ClassificationData(count: count, features: features, inputs: x, labels: labels)
        }
        var clean = sample(trainExamples, "train")
        var corruption = RandomGenerator(seed: StableHash.derive(dataSeed, "hyperclean.corruption"))
        var corrupted = [Bool](repeating: false, count: trainExamples)
        for i in 0..<trainExamples where corruption.nextDouble() < corruptionRate {
            let shift = 1 + corruption.nextInt(below: classes - 1)
            clean.labels[i] = (clean.labels[i] + shift) % classes
            corrupted[i] = true
        }
        train = clean
        self.corrupted = corrupted
        validation = sample(validationExamples, "validation")
        test = sample(testExamples, "test")
        var outer = ParameterLayout()
        outer.add("example_weight_logits", shape: [trainExamples], kind: .bias)
        outerLayout = outer
        var inner = ParameterLayout()
        weight = inner.add("weight", shape: [classes, features], kind: .weight)
        bias = inner.add("bias", shape: [classes], kind: .bias)
        innerLayout = inner
    }

    public var innerExampleCount: Int { train.count }
    public var outerExampleCount: Int { validation.count }

    /// Every `u_i = 0` (weight ½ on every training example).
    public func initialOuter() -> ParameterSet { ParameterSet(layout: outerLayout) }
    /// `W = 0`, `b = 0`.
    public func initialInner() -> ParameterSet { ParameterSet(layout: innerLayout) }

    @inline(__always) static func sigmoid(_ t: Float) -> Float { 1 / (1 + expf(-t)) }

    // MARK: Softmax pieces

    /// `rows Mᵀ + m_b` for an inner-layout flat vector (parameters or a direction): B × C.
    private func affine(_ rows: [Float], count n: Int, _ flat: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: n * classes)
        guard n > 0 else { return out }
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<n { for c in 0..<classes { o[i * classes + c] = flat[bias.offset + c] } }
            rows.withUnsafeBufferPointer { x in
                flat.withUnsafeBufferPointer { p in
                    BLAS.gemm(.none, .transposed, m: n, n: classes, k: features, a: x.baseAddress!, b: p.baseAddress! + weight.offset, beta: 1, c: o.baseAddress!)
                }
            }
        }
        return out
    }

    /// Softmax probabilities (in place of the logits) and per-example cross-entropies.
    private func softmax(_ logits: inout [Float], labels: [Int]) -> [Double] {
        var losses = [Double](repeating: 0, count: labels.count)
        logits.withUnsafeMutableBufferPointer { l in
            for i in labels.indices {
                let row = i * classes
                var maximum = -Float.infinity
                for c in 0..<classes { maximum = max(maximum, l[row + c]) }
                var sum = 0.0
                for c in 0..<classes { sum += Double(expf(l[row + c] - maximum)) }
                losses[i] = Double(maximum) + log(sum) - Double(l[row + labels[i]])
                let inverse = Float(1 / sum)
                for c in 0..<classes { l[row + c] = expf(l[row + c] - maximum) * inverse }
            }
        }
        return losses
    }

    /// Writes `[Rᵀ X, column sums of R]` into an inner-layout vector.
    private func backProject(_ r: [Float], _ rows: [Float], count n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: innerLayout.count)
        guard n > 0 else { return out }
        out.withUnsafeMutableBufferPointer { o in
            r.withUnsafeBufferPointer { rp in
                rows.withUnsafeBufferPointer { x in
                    BLAS.gemm(.transposed, .none, m: classes, n: features, k: n, a: rp.baseAddress!, b: x.baseAddress!, c: o.baseAddress! + weight.offset)
                }
                for i in 0..<n { for c in 0..<classes { o[bias.offset + c] += rp[i * classes + c] } }
            }
        }
        return out
    }

    /// Per-example weights `σ(u_i)` (or 1) over `indices`, scaled by `1/|B|`.
    private func exampleScales(_ u: [Float]?, _ indices: [Int]) -> [Float] {
        let inverse = 1 / Float(max(indices.count, 1))
        guard let u else { return [Float](repeating: inverse, count: indices.count) }
        return indices.map { Self.sigmoid(u[$0]) * inverse }
    }

    /// Weighted mean cross-entropy on `data` rows, with `∇_z` when asked; also the
    /// per-example losses and probabilities for the `u` derivatives.
    private func crossEntropy(
        _ data: ClassificationData, _ examples: [Int]?, _ z: [Float], weights u: [Float]?, gradient: Bool
    ) -> (value: Double, dz: [Float]?, losses: [Double], probabilities: [Float], indices: [Int], rows: [Float]) {
        let (rows, labels, indices) = data.rows(examples)
        let n = labels.count
        var p = affine(rows, count: n, z)
        let losses = softmax(&p, labels: labels)
        let scales = exampleScales(u, indices)
        var value = 0.0
        for i in 0..<n { value += Double(scales[i]) * losses[i] }
        guard gradient else { return (value, nil, losses, p, indices, rows) }
        var r = p
        for i in 0..<n {
            r[i * classes + labels[i]] -= 1
            for c in 0..<classes { r[i * classes + c] *= scales[i] }
        }
        return (value, backProject(r, rows, count: n), losses, p, indices, rows)
    }

    private func ridgeValue(_ z: [Float]) -> Double {
        var total = 0.0
        for k in weight.range { total += Double(z[k]) * Double(z[k]) }
        return 0.5 * Double(ridge) * total
    }

    // MARK: BilevelProblem

    public func innerValue(_ z: ParameterSet, _ x: ParameterSet, examples: [Int]?) -> Float {
        Float(crossEntropy(train, examples, z.values, weights: x.values, gradient: false).value + ridgeValue(z.values))
    }

    public func innerGradients(_ z: ParameterSet, _ x: ParameterSet, examples: [Int]?, dz: inout ParameterSet, dx: inout ParameterSet) -> Float {
        let result = crossEntropy(train, examples, z.values, weights: x.values, gradient: true)
        var g = result.dz!
        for k in weight.range { g[k] += ridge * z.values[k] }
        dz.values = g
        var du = [Float](repeating: 0, count: train.count)
        let inverse = 1 / Float(max(result.indices.count, 1))
        for (row, i) in result.indices.enumerated() {
            let s = Self.sigmoid(x.values[i])
            du[i] += s * (1 - s) * Float(result.losses[row]) * inverse
        }
        dx.values = du
        return Float(result.value + ridgeValue(z.values))
    }

    public func outerValue(_ z: ParameterSet, _ x: ParameterSet, examples: [Int]?) -> Float {
        Float(crossEntropy(validation, examples, z.values, weights: nil, gradient: false).value)
    }

    public func outerGradients(_ z: ParameterSet, _ x: ParameterSet, examples: [Int]?, dz: inout ParameterSet, dx: inout ParameterSet) -> Float {
        let result = crossEntropy(validation, examples, z.values, weights: nil, gradient: true)
        dz.values = result.dz!
        dx.values = [Float](repeating: 0, count: outerLayout.count)
        return Float(result.value)
    }

    public func innerHessianVectorProduct(_ z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, examples: [Int]?, into result: inout ParameterSet) {
        let (rows, labels, indices) = train.rows(examples)
        let n = labels.count
        var p = affine(rows, count: n, z.values)
        _ = softmax(&p, labels: labels)
        let a = affine(rows, count: n, v.values)
        let scales = exampleScales(x.values, indices)
        var r = [Float](repeating: 0, count: n * classes)
        for i in 0..<n {
            let row = i * classes
            var dot: Float = 0
            for c in 0..<classes { dot += p[row + c] * a[row + c] }
            for c in 0..<classes { r[row + c] = scales[i] * p[row + c] * (a[row + c] - dot) }
        }
        var hv = backProject(r, rows, count: n)
        for k in weight.range { hv[k] += ridge * v.values[k] }
        result.values = hv
    }

    public func crossDerivativeProduct(_ z: ParameterSet, _ x: ParameterSet, _ v: ParameterSet, examples: [Int]?, into result: inout ParameterSet) {
        let (rows, labels, indices) = train.rows(examples)
        let n = labels.count
        var p = affine(rows, count: n, z.values)
        _ = softmax(&p, labels: labels)
        let a = affine(rows, count: n, v.values)
        var out = [Float](repeating: 0, count: outerLayout.count)
        let inverse = 1 / Float(max(n, 1))
        for (row, i) in indices.enumerated() {
            var dot: Float = 0
            for c in 0..<classes { dot += p[row * classes + c] * a[row * classes + c] }
            dot -= a[row * classes + labels[row]]
            let s = Self.sigmoid(x.values[i])
            out[i] += s * (1 - s) * dot * inverse
        }
        result.values = out
    }

    /// Fraction of `data` whose arg-max class under `z` equals the label.
    public func accuracy(_ z: ParameterSet, on data: ClassificationData) -> Double {
        let p = affine(data.inputs, count: data.count, z.values)
        var correct = 0
        for i in 0..<data.count {
            var best = 0
            for c in 1..<classes where p[i * classes + c] > p[i * classes + best] { best = c }
            if best == data.labels[i] { correct += 1 }
        }
        return Double(correct) / Double(max(data.count, 1))
    }

    /// Validation cross-entropy as `trainLoss`; validation and test accuracy.
    public func metrics(_ z: ParameterSet, _ x: ParameterSet) -> Metrics {
        Metrics(
            trainLoss: crossEntropy(validation, nil, z.values, weights: nil, gradient: false).value,
            validationMetric: accuracy(z, on: validation), testMetric: accuracy(z, on: test))
    }
}

/// The `bilevel_hyperclean` workload: `HypergradientWorkload` over `HypercleanProblem`.
public typealias BilevelHypercleanWorkload = HypergradientWorkload<HypercleanProblem>

extension HypergradientWorkload where Problem == HypercleanProblem {
    /// Builds the workload a `bilevel_hyperclean` spec describes.
    public convenience init(hypercleanSpec spec: WorkloadSpec) throws {
        try self.init(spec: spec) { try HypercleanProblem(&$0) }
    }
}
