import Foundation

/// The clock every `optbench perf` table is timed with.
public enum Timing {
    /// Seconds per call of `body`: the minimum over repeats (at least three, and at least
    /// `minimumSeconds` of them on a monotonic clock), after one warm-up call. The minimum,
    /// not the mean, because on a shared machine every disturbance only adds time.
    public static func secondsPerCall(minimumSeconds: Double, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var best = Double.infinity
        var spent = 0.0
        var calls = 0
        while spent < minimumSeconds || calls < 3 {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            best = min(best, elapsed)
            spent += elapsed
            calls += 1
        }
        return best
    }
}
