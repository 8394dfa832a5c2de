import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Stops a suite run cleanly when it is interrupted by SIGINT (Ctrl-C), SIGTERM or SIGHUP.
///
/// Trial processes run in process groups of their own, so a signal to `optbench run` does
/// not reach them by itself. Once `install()` has run, the first of these signals is
/// recorded, forwarded to every running trial process, and any of them still alive after
/// `gracePeriod` seconds is killed (SIGKILL); a second signal kills them at once. The suite
/// runner starts no trial after the signal and records none of the interrupted ones, so
/// rerunning the same command redoes them.
public final class RunInterruption: @unchecked Sendable {
    /// The signals that interrupt a run.
    public static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Seconds between forwarding the signal and killing the trial processes still alive.
    public let gracePeriod: Double
    private let lock = NSLock()
    private let queue = DispatchQueue(label: "optbench.run-interruption")
    private var received: Int32?
    private var children: Set<pid_t> = []
    private var sources: [any DispatchSourceSignal] = []

    public init(gracePeriod: Double = 5) {
        self.gracePeriod = gracePeriod
    }

    /// Routes SIGINT, SIGTERM and SIGHUP of this process to `interrupt(by:)` instead of
    /// their default action (ending the process).
    public func install() {
        for number in Self.signals {
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.interrupt(by: number) }
            source.resume()
            sources.append(source)
        }
    }

    /// The first interrupting signal received, nil while none.
    public var receivedSignal: Int32? {
        lock.withLock { received }
    }

    /// Records `number` and forwards it to every running trial process; the first time,
    /// schedules SIGKILL for those still alive after the grace period, and the second time
    /// sends SIGKILL at once.
    public func interrupt(by number: Int32) {
        let (isFirst, running) = lock.withLock { () -> (Bool, Set<pid_t>) in
            let isFirst = received == nil
            if isFirst { received = number }
            return (isFirst, children)
        }
        guard isFirst else {
            killRemaining()
            return
        }
        for pid in running { kill(pid, number) }
        queue.asyncAfter(deadline: .now() + gracePeriod) { [weak self] in self?.killRemaining() }
    }

    /// Starts `process` and tracks it, unless the run was interrupted; returns whether it
    /// started. Starting and tracking happen under the same lock as forwarding, so no trial
    /// process can start unseen after a signal.
    func launch(_ process: Process) throws -> Bool {
        try lock.withLock {
            guard received == nil else { return false }
            try process.run()
            children.insert(process.processIdentifier)
            return true
        }
    }

    /// Stops tracking a trial process that has exited (and been reaped).
    func exited(_ process: Process) {
        _ = lock.withLock { children.remove(process.processIdentifier) }
    }

    private func killRemaining() {
        let running = lock.withLock { children }
        for pid in running { kill(pid, SIGKILL) }
    }
}
