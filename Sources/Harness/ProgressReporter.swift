import Foundation

/// Progress of a suite run: a live status line on a terminal, one line per finished
/// trial otherwise (logs, CI).
public final class ProgressReporter: @unchecked Sendable {
    private let total: Int
    private let start = MonotonicClock.now()
    private let live: Bool
    private let lock = NSLock()
    private var done = 0
    private var running: [String: Double] = [:]

    /// `live` defaults to whether standard output is a terminal.
    public init(total: Int, live: Bool = isatty(STDOUT_FILENO) != 0) {
        self.total = total
        self.live = live
    }

    /// A trial labelled `label` started.
    public func started(_ label: String) {
        lock.withLock {
            running[label] = MonotonicClock.now()
            if live { drawLine() }
        }
    }

    /// A trial finished with `summary` (status and time to target).
    public func finished(_ label: String, summary: String) {
        lock.withLock {
            running[label] = nil
            done += 1
            if live {
                print("\r\u{1B}[K\(label): \(summary)")
                drawLine()
            } else {
                print("[\(done)/\(total)] \(label): \(summary) (elapsed \(Self.duration(MonotonicClock.now() - start)))")
            }
            fflush(nil)  // all C streams; `stdout` itself is not concurrency-safe to name
        }
    }

    /// Ends the live line.
    public func close() {
        if live { lock.withLock { print("") } }
    }

    private func drawLine() {
        let elapsed = MonotonicClock.now() - start
        let remaining = done > 0 ? Self.duration(elapsed / Double(done) * Double(total - done)) : "?"
        let current = running.keys.sorted().first ?? ""
        let text = "[\(done)/\(total)] \(current)  elapsed \(Self.duration(elapsed))  left ~\(remaining)"
        print("\r\u{1B}[K\(text)", terminator: "")
        fflush(nil)  // all C streams; `stdout` itself is not concurrency-safe to name
    }

    /// "1h02m", "3m05s", "12s".
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
