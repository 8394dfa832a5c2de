import NN

/// A submission that drives both levels of a bilevel workload itself, through the
/// workload's `BilevelOracle`, instead of receiving the fixed hypergradient a generic
/// submission gets. It is registered, tuned, run, timed, stored and scored exactly like
/// any submission; suites run it only on workloads that offer the bilevel oracle
/// (`WorkloadInfo.innerLayout != nil`).
public protocol BilevelSolver: Submission {}

extension BilevelSolver {
    /// The inner layout of `info`, or an error naming the solver and the workload when
    /// the workload is not bilevel.
    public static func innerLayout(of info: WorkloadInfo) throws -> ParameterLayout {
        guard let layout = info.innerLayout else {
            throw InputError(
                source: name, field: nil,
                message: "is a bilevel solver and needs a workload that offers a bilevel oracle; '\(info.name)' does not")
        }
        return layout
    }

    /// The trial's bilevel oracle (present whenever `innerLayout(of:)` succeeded at init).
    public static func bilevelOracle(_ oracle: Oracle) throws -> BilevelOracle {
        guard let bilevel = oracle.bilevel else {
            throw InputError(source: name, field: nil, message: "needs a bilevel oracle; workload '\(oracle.info.name)' offers none")
        }
        return bilevel
    }
}
