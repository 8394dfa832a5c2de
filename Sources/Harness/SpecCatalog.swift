import Core

/// The workload specs of a folder, base workloads and their variants, by name.
public struct SpecCatalog: Sendable {
    /// Base specs, sorted by name; each carries its resolved variants.
    public let baseSpecs: [WorkloadSpec]

    /// Loads every spec in `directory` (strictly validated); a name used twice in the
    /// folder (a variant named like another spec or another spec's variant) is an error
    /// naming the later file and field.
    public init(directory: String) throws {
        baseSpecs = try WorkloadSpec.loadAll(directory: directory)
        try Self.requireUniqueNames(baseSpecs)
    }

    private static func requireUniqueNames(_ baseSpecs: [WorkloadSpec]) throws {
        var seen: [String: String] = [:]  // name → the file defining it
        for base in baseSpecs {
            for (index, spec) in ([base] + base.variants).enumerated() {
                if let earlier = seen[spec.name] {
                    throw InputError(
                        source: spec.source, field: index == 0 ? "name" : "variants[\(index - 1)].name",
                        message: "duplicates the name \(PlainName.escaped(spec.name)) of \(earlier)")
                }
                seen[spec.name] = spec.source
            }
        }
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
                message: "unknown workload \(PlainName.escaped(name)) (valid: \(allSpecs.map(\.name).joined(separator: ", ")))")
        }
        return found
    }
}
