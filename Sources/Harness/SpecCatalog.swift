import Core

/// The workload specs of a folder, base workloads and their variants, by name.
public struct SpecCatalog: Sendable {
    /// Base specs, sorted by name; each carries its resolved variants.
    public let baseSpecs: [WorkloadSpec]

    /// Loads every spec in `directory` (strictly validated).
    public init(directory: String) throws {
        baseSpecs = try WorkloadSpec.loadAll(directory: directory)
    }

    /// Base names, sorted.
    public var baseNames: [String] { baseSpecs.map(\.name) }

    /// Every base and variant spec.
    public var allSpecs: [WorkloadSpec] { baseSpecs.flatMap { [$0] + $0.variants } }

    /// The base or variant spec called `name`; throws listing the valid names otherwise.
    public func spec(named name: String) throws -> WorkloadSpec {
        guard let found = allSpecs.first(where: { $0.name == name }) else {
            throw InputError(
                source: "workload", field: nil,
                message: "unknown workload '\(name)' (valid: \(allSpecs.map(\.name).joined(separator: ", ")))")
        }
        return found
    }
}
