import Foundation

/// Seconds on a monotonic clock (unaffected by wall-clock changes).
public enum MonotonicClock {
    /// Seconds since an arbitrary fixed origin.
    public static func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) * 1e-9
    }
}
