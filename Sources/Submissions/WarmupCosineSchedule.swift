import Foundation

/// Linear warmup then cosine decay to zero over the step hint, as in AlgoPerf's baselines.
///
/// `learningRate(at: t)` = peak · t/w for t < w (w = warmup steps), then
/// peak · ½(1 + cos(π · min(1, (t − w)/(T − w)))) where T is the step hint. Past T the
/// rate stays at zero's floor `minimumFactor · peak`.
public struct WarmupCosineSchedule: Sendable, Equatable {
    public let peak: Double
    public let warmupSteps: Int
    public let totalSteps: Int
    public let minimumFactor: Double

    /// `warmupFraction` of `totalSteps` are warmup (AlgoPerf's `warmup_factor`).
    public init(peak: Double, warmupFraction: Double, totalSteps: Int, minimumFactor: Double = 0) {
        precondition(totalSteps >= 1, "WarmupCosineSchedule: total steps must be ≥ 1, got \(totalSteps)")
        precondition((0...1).contains(warmupFraction), "WarmupCosineSchedule: warmup fraction must be in [0, 1], got \(warmupFraction)")
        self.peak = peak
        self.warmupSteps = Int((warmupFraction * Double(totalSteps)).rounded())
        self.totalSteps = totalSteps
        self.minimumFactor = minimumFactor
    }

    /// The learning rate for step `step` (0-based; the first update uses step 0).
    public func learningRate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        let decaySteps = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(decaySteps))
        let factor = 0.5 * (1 + cos(Double.pi * progress))
        return peak * max(minimumFactor, factor)
    }
}
