import Foundation
import NN
import Tensor

/// The seeded synthetic data of the regression workload.
///
/// Inputs are `x = Q Λ^{1/2} z` with `z ~ N(0, I)`, `Q` a random orthogonal basis and
/// `Λ` eigenvalues log-spaced from 1 down to `1/condition_number`, so the input
/// covariance `Q Λ Qᵀ` has exactly the requested condition number. Targets are
/// `y = f*(x) + σ ε`, `ε ~ N(0, 1)`, where the teacher `f*` is linear (`linear`) or a tanh
/// MLP (`mlp`) scaled so that `Var f*(x) = signal_variance`. The Bayes error, the
/// validation MSE of `f*` itself, is therefore `σ²`.
struct RegressionData: Sendable {
    /// Input-covariance eigenvalues, largest first.
    let spectrum: [Double]
    let train: RegressionBatch
    let validation: RegressionBatch
    let test: RegressionBatch
    /// The teacher model and its parameters.
    let teacher: any RegressionModel
    let teacherParameters: ParameterSet

    init(settings s: RegressionSettings) {
        let d = s.dimension
        var basisGenerator = RandomGenerator(seed: StableHash.derive(s.dataSeed, "regression.basis"))
        let basis = RandomMatrices.orthogonal(dimension: d, using: &basisGenerator)
        let eigenvalues = RandomMatrices.logSpacedSpectrum(count: d, conditionNumber: s.conditionNumber)
        spectrum = eigenvalues
        let sqrtSpectrum = eigenvalues.map { Float($0.squareRoot()) }

        func inputs(_ count: Int, _ label: String) -> [Float] {
            var generator = RandomGenerator(seed: StableHash.derive(s.dataSeed, "regression.inputs.\(label)"))
            var z = [Float](repeating: 0, count: count * d)
            z.withUnsafeMutableBufferPointer { buffer in
                generator.fillNormal(buffer)
                for i in 0..<count { for j in 0..<d { buffer[i * d + j] *= sqrtSpectrum[j] } }
            }
            var x = [Float](repeating: 0, count: count * d)
            z.withUnsafeBufferPointer { zp in
                basis.withUnsafeBufferPointer { q in
                    x.withUnsafeMutableBufferPointer { xp in
                        // Row i of X = (Q Λ^{1/2} z_i)ᵀ = z'_iᵀ Qᵀ.
                        BLAS.gemm(.none, .transposed, m: count, n: d, k: d, a: zp.baseAddress!, b: q.baseAddress!, c: xp.baseAddress!)
                    }
                }
            }
            return x
        }
        let trainInputs = inputs(s.trainExamples, "train")
        let validationInputs = inputs(s.validationExamples, "validation")
        let testInputs = inputs(s.testExamples, "test")

        /// A direction `w = Q c / ‖Λ^{1/2} c‖` (so `wᵀx` has unit variance), with
        /// `c_j ~ N(0, λ_j^{-power})`.
        var teacherGenerator = RandomGenerator(seed: StableHash.derive(s.dataSeed, "regression.teacher"))
        func unitVarianceDirection(power: Double) -> [Float] {
            var c = [Double](repeating: 0, count: d)
            var variance = 0.0
            for j in 0..<d {
                c[j] = teacherGenerator.nextNormalPair().0 * pow(eigenvalues[j], -power / 2)
                variance += eigenvalues[j] * c[j] * c[j]
            }
            let scale = 1 / variance.squareRoot()
            var w = [Float](repeating: 0, count: d)
            for i in 0..<d {
                var sum = 0.0
                for j in 0..<d { sum += Double(basis[i * d + j]) * c[j] }
                w[i] = Float(sum * scale)
            }
            return w
        }

        let unlabeledTrain = RegressionBatch(count: s.trainExamples, features: d, inputs: trainInputs, targets: [Float](repeating: 0, count: s.trainExamples))
        let teacherModel: any RegressionModel
        let teacherP: ParameterSet
        switch s.model {
        case .linear:
            let model = LinearRegressor(features: d)
            var p = ParameterSet(layout: model.layout)
            let direction = unitVarianceDirection(power: s.signalSpectrumPower)
            let scale = Float(s.signalVariance.squareRoot())
            p.withUnsafeMutableBufferPointer(model.weight) { w in for i in 0..<d { w[i] = scale * direction[i] } }
            p.values[model.bias.offset] = teacherGenerator.nextNormal()
            teacherModel = model
            teacherP = p
        case .mlp:
            let model = TanhMLP(features: d, hiddenUnits: s.teacherHiddenUnits)
            var p = ParameterSet(layout: model.layout)
            for k in 0..<s.teacherHiddenUnits {
                let direction = unitVarianceDirection(power: 0)
                p.withUnsafeMutableBufferPointer(model.hiddenWeight) { w in for i in 0..<d { w[k * d + i] = direction[i] } }
                p.values[model.hiddenBias.offset + k] = 0.5 * teacherGenerator.nextNormal()
            }
            p.withUnsafeMutableBufferPointer(model.outputWeight) { teacherGenerator.fillNormal($0) }
            // Scale the output layer so the teacher's variance over the training inputs is signal_variance.
            let raw = model.predict(p, unlabeledTrain)
            let mean = raw.reduce(0.0) { $0 + Double($1) } / Double(raw.count)
            let variance = raw.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(raw.count)
            let scale = Float((s.signalVariance / max(variance, 1e-12)).squareRoot())
            p.withUnsafeMutableBufferPointer(model.outputWeight) { w in for k in w.indices { w[k] *= scale } }
            p.values[model.outputBias.offset] = teacherGenerator.nextNormal()
            teacherModel = model
            teacherP = p
        }

        func labeled(_ x: [Float], _ count: Int, _ label: String) -> RegressionBatch {
            let unlabeled = RegressionBatch(count: count, features: d, inputs: x, targets: [Float](repeating: 0, count: count))
            var y = teacherModel.predict(teacherP, unlabeled)
            var noise = RandomGenerator(seed: StableHash.derive(s.dataSeed, "regression.noise.\(label)"))
            let sigma = Float(s.noiseStandardDeviation)
            for i in y.indices { y[i] += sigma * noise.nextNormal() }
            return RegressionBatch(count: count, features: d, inputs: x, targets: y)
        }
        teacher = teacherModel
        teacherParameters = teacherP
        train = labeled(trainInputs, s.trainExamples, "train")
        validation = labeled(validationInputs, s.validationExamples, "validation")
        test = labeled(testInputs, s.testExamples, "test")
    }
}
