import Core
import Foundation

/// A named suite size from `workloads/profiles.json`: how many trials and studies, which
/// workloads (with or without their held-out variants), which submissions by default, and
/// a multiplier on every workload's budget.
public struct Profile: Sendable, Equatable {
    public var name: String
    public var description: String
    /// The ruleset `optbench run` uses unless told otherwise.
    public var ruleset: Ruleset
    /// External-tuning trials per study.
    public var trials: Int
    /// Independent studies (each with its own draws and seeds).
    public var studies: Int
    /// Base workload names; empty means every workload in the spec folder.
    public var workloads: [String]
    /// Whether each base workload's variants run too.
    public var includeVariants: Bool
    /// Submissions run when the command line names none; empty means every registered one.
    public var submissions: [String]
    /// Multiplier on each spec's `max_runtime_s` (and its eval period).
    public var budgetScale: Double

    public init(
        name: String, description: String, ruleset: Ruleset = .external, trials: Int, studies: Int, workloads: [String], includeVariants: Bool,
        submissions: [String], budgetScale: Double
    ) {
        self.name = name
        self.description = description
        self.ruleset = ruleset
        self.trials = trials
        self.studies = studies
        self.workloads = workloads
        self.includeVariants = includeVariants
        self.submissions = submissions
        self.budgetScale = budgetScale
    }

    /// Loads every profile of a profiles file, sorted by name. Unknown keys, missing
    /// fields and wrong types are errors naming the file and field.
    public static func loadAll(contentsOf path: String) throws -> [Profile] {
        let json = try JSONValue.load(contentsOf: path)
        guard case .object(let fields) = json, !fields.isEmpty else {
            throw InputError(source: path, field: nil, message: "must be a non-empty object of profiles by name, found \(json.typeName)")
        }
        return try fields.keys.sorted().map { name in
            try PlainName.validated(name, source: path, field: Self.nameField)
            var reader = try JSONObjectReader(fields[name] ?? .null, source: path, path: name)
            let profile = Profile(
                name: name,
                description: try description(&reader),
                ruleset: Ruleset(rawValue: try reader.choice("ruleset", Ruleset.allCases.map(\.rawValue))) ?? .external,
                trials: try reader.integer("trials", in: Bounds.trials),
                studies: try reader.integer("studies", in: Bounds.studies),
                workloads: try reader.plainNames("workloads"),
                includeVariants: try reader.bool("include_variants"),
                submissions: try reader.plainNames("submissions"),
                budgetScale: try reader.positiveNumber("budget_scale", atMost: Bounds.maximumBudgetScale))
            try reader.finish()
            return profile
        }
    }

    /// The bounds a profile's numbers are checked against when loaded.
    public enum Bounds {
        /// `trials` per study.
        public static let trials = 1...10_000
        /// `studies`.
        public static let studies = 1...1_000
        /// The largest `budget_scale`.
        public static let maximumBudgetScale = 1_000.0
    }

    /// The field named in errors about a profile's name (a key of the profiles object).
    public static let nameField = "profile names"

    /// The profile called `name` in `path`; throws listing the valid names otherwise.
    public static func load(named name: String, contentsOf path: String) throws -> Profile {
        let all = try loadAll(contentsOf: path)
        guard let profile = all.first(where: { $0.name == name }) else {
            throw InputError(
                source: path, field: nil,
                message: "unknown profile \(PlainName.escaped(name)) (valid: \(all.map(\.name).joined(separator: ", ")))")
        }
        return profile
    }

    /// The one-line description, printed by `optbench list`: no control characters.
    private static func description(_ reader: inout JSONObjectReader) throws -> String {
        let text = try reader.string("description")
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw InputError(
                source: reader.source, field: reader.fieldPath("description"),
                message: "must be one line of text without control characters, found \(PlainName.escaped(text))")
        }
        return text
    }
}
