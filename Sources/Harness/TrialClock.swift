import Foundation

/// The clock a trial's submission time (and the time of its rows) is read from.
///
/// On a shared virtual machine the hypervisor takes the cores away from the guest for
/// part of the time ("steal": on the 2-core VM this project is measured on, from under
/// 1 % to 18 % of each core within one hour), and wall time bills those spans to the
/// submission. A thread's CPU time does not: Linux leaves steal out of a task's run time.
/// So a one-thread trial, the way `make bench` and calibration run them (two trial
/// processes of one thread each on two cores), reads the CPU time of the thread running
/// it. At one thread everything the trial computes runs on that thread: OpenBLAS and
/// oneDNN compute on the calling thread, and `ParallelRanges` splits nothing. A trial
/// with more threads reads wall time, since CPU time would bill its threads' parallel
/// work (and their spinning) as if done one after the other.
public enum TrialClock: String, Sendable, Equatable {
    /// Seconds of wall time (monotonic).
    case wall
    /// Seconds of CPU time used by the calling thread (steal excluded). Read it from the
    /// thread that runs the trial: another thread reads its own.
    case threadCPU = "thread_cpu"

    /// The clock for a trial running `threads` threads: CPU time at one, wall time above.
    public init(threads: Int) {
        self = threads <= 1 ? .threadCPU : .wall
    }

    /// Seconds since an arbitrary fixed origin on this clock.
    public func now() -> Double {
        switch self {
        case .wall:
            return MonotonicClock.now()
        case .threadCPU:
            var time = timespec()
            let status = clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            precondition(status == 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed with errno \(errno)")
            return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
        }
    }
}
