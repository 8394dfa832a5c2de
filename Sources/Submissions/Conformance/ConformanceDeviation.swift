import Core

/// A submission's declared, measured departure from one reference case: the case runs,
/// its error is reported, and it is listed as a declared deviation rather than a pass.
///
/// A declaration is only made where the submission deliberately follows a different rule
/// than the reference (for instance the paper where the reference code differs from it),
/// or where the reference's own numerics cannot be reproduced exactly; `reason` says which
/// and why. The runner accepts the case while its largest relative error stays within
/// twice `measuredError` (room for a different BLAS or compiler, not for a new bug).
public struct ConformanceDeviation: Sendable, Equatable {
    /// The case file's name without extension, e.g. `lamb_wd`.
    public let caseName: String
    /// The reference the submission departs from, as the case names it, e.g.
    /// `torch_optimizer.Lamb`.
    public let reference: String
    /// What differs, and why the submission keeps its own rule.
    public let reason: String
    /// The largest relative error measured over the case (see `ConformanceRunner`).
    public let measuredError: Double

    public init(caseName: String, reference: String, reason: String, measuredError: Double) {
        self.caseName = caseName
        self.reference = reference
        self.reason = reason
        self.measuredError = measuredError
    }

    /// The largest error the runner accepts for the declared case.
    public var acceptedError: Double { 2 * measuredError }
}

/// A submission that declares where its trajectory departs from a reference case.
public protocol ConformanceDeviating: Submission {
    /// The declared deviations, one per case.
    static var conformanceDeviations: [ConformanceDeviation] { get }
}

/// How a case came out.
public enum ConformanceStatus: Sendable, Equatable {
    /// Every step within the submission's tolerance.
    case pass
    /// Outside the tolerance, but declared by the submission, and within the declared error.
    case declaredDeviation(ConformanceDeviation)
    /// Outside the tolerance and not declared (or beyond the declared error).
    case fail
    /// The case no longer describes the submission's rule; not run. The reason says why.
    case retired(reason: String)

    /// Whether the case is acceptable: anything but an undeclared failure.
    public var isAcceptable: Bool { self != .fail }

    /// One word for tables: `pass`, `declared deviation`, `FAIL`, `retired`.
    public var label: String {
        switch self {
        case .pass: "pass"
        case .declaredDeviation: "declared deviation"
        case .fail: "FAIL"
        case .retired: "retired"
        }
    }
}
