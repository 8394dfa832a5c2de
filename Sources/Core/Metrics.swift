/// Whether a metric improves downwards (loss, error, gap) or upwards (accuracy, cut ratio).
public enum MetricDirection: String, Sendable, Codable {
    case minimize
    case maximize

    /// Whether `value` meets `target` in this direction (NaN never does).
    public func meets(_ value: Double, target: Double) -> Bool {
        guard !value.isNaN else { return false }
        return self == .minimize ? value <= target : value >= target
    }

    /// Whether `a` is strictly better than `b` (NaN is worse than anything).
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        if a.isNaN { return false }
        if b.isNaN { return true }
        return self == .minimize ? a < b : a > b
    }
}

/// One evaluation of the parameters a submission hands in for evaluation.
public struct Metrics: Sendable, Equatable, Codable {
    /// Loss on a fixed subset of the training data.
    public var trainLoss: Double
    /// The workload's validation metric (the one targets refer to).
    public var validationMetric: Double
    /// The same metric on held-out test data.
    public var testMetric: Double

    public init(trainLoss: Double, validationMetric: Double, testMetric: Double) {
        self.trainLoss = trainLoss
        self.validationMetric = validationMetric
        self.testMetric = testMetric
    }
}
