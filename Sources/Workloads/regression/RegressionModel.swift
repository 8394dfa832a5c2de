import NN
import Tensor

/// A model for the regression workload: predictions, and the mean-squared-error loss
/// `L = (1/n) Σ (f(x_i) − y_i)²` (no ½) with its gradient.
protocol RegressionModel: Sendable {
    var layout: ParameterLayout { get }
    /// Seeded initial parameters.
    func initialParameters(using generator: inout RandomGenerator) -> ParameterSet
    /// One prediction per example of `batch`.
    func predict(_ parameters: ParameterSet, _ batch: RegressionBatch) -> [Float]
    /// Mean squared error on `batch`; its gradient is written into `gradient`.
    func lossAndGradient(_ parameters: ParameterSet, _ batch: RegressionBatch, into gradient: inout ParameterSet) -> Float
}

extension RegressionModel {
    /// Mean squared error of `predict` on `batch`, accumulated in Double.
    func loss(_ parameters: ParameterSet, _ batch: RegressionBatch) -> Float {
        Float(Self.meanSquaredError(predict(parameters, batch), batch.targets))
    }

    /// `(1/n) Σ (p_i − y_i)²` in Double.
    static func meanSquaredError(_ predictions: [Float], _ targets: [Float]) -> Double {
        precondition(predictions.count == targets.count, "meanSquaredError: \(predictions.count) predictions for \(targets.count) targets")
        guard !targets.isEmpty else { return 0 }
        var total = 0.0
        for i in targets.indices {
            let d = Double(predictions[i]) - Double(targets[i])
            total += d * d
        }
        return total / Double(targets.count)
    }

    /// Stops with a message when `parameters` does not have this model's layout.
    func checkLayout(_ parameters: ParameterSet, _ what: String) {
        precondition(parameters.layout == layout && parameters.values.count == layout.count,
                     "regression \(what): parameters have \(parameters.values.count) values in layout \(parameters.views.map(\.name)), expected \(layout.count) in \(layout.views.map(\.name))")
    }
}
