import Core

/// AlgoPerf's two tuning rulesets.
public enum Ruleset: String, Sendable, CaseIterable {
    /// N quasi-random trials per study from the submission's search space; the fastest
    /// trial of each study counts.
    case external
    /// One run per study with the submission's default hyperparameters and a budget
    /// `selfTuningBudgetFactor` times larger.
    case selfTuning = "self"

    /// Budget multiplier of the self-tuning ruleset: no tuning trials are spent, so the
    /// one run gets a larger share of time.
    public static let selfTuningBudgetFactor = 1.5

    /// The budget multiplier this ruleset applies on top of a profile's scale.
    public var budgetFactor: Double { self == .selfTuning ? Self.selfTuningBudgetFactor : 1 }

    /// Parses a command-line name, listing the valid ones on failure.
    public static func named(_ name: String) throws -> Ruleset {
        guard let ruleset = Ruleset(rawValue: name) else {
            throw RulesetError(name: name)
        }
        return ruleset
    }
}

/// An unknown ruleset name.
public struct RulesetError: Error, CustomStringConvertible {
    public let name: String
    public var description: String {
        "unknown ruleset \(PlainName.escaped(name)) (valid: \(Ruleset.allCases.map(\.rawValue).joined(separator: ", ")))"
    }
}
