import Core

/// The settings of the `maxcut` workload, read strictly from its spec.
///
/// | key | meaning |
/// |---|---|
/// | `nodes` | graph size n |
/// | `edge_probability` | Erdős–Rényi edge probability p |
/// | `signed_weights` | edge weights ±1 (true) or all 1 (false) |
/// | `rank` | Burer–Monteiro rank k (columns of V) |
/// | `rounding_hyperplanes` | hyperplanes per evaluation (best cut reported) |
/// | `reference_iterations` | iterated-local-search iterations for the reference cut |
/// | `data_seed` | seed of the graph, the hyperplanes and the reference search |
public struct MaxCutSettings: Sendable, Equatable {
    public var nodes: Int
    public var edgeProbability: Double
    public var signedWeights: Bool
    public var rank: Int
    public var roundingHyperplanes: Int
    public var referenceIterations: Int
    public var dataSeed: UInt64

    public init(spec: WorkloadSpec) throws {
        var reader = try spec.settingsReader()
        nodes = try reader.integer("nodes", in: 2...100_000)
        edgeProbability = try reader.positiveNumber("edge_probability")
        guard edgeProbability <= 1 else {
            throw InputError(source: spec.source, field: reader.fieldPath("edge_probability"), message: "must be in (0, 1], found \(edgeProbability)")
        }
        signedWeights = try reader.bool("signed_weights")
        rank = try reader.integer("rank", in: 1...4096)
        roundingHyperplanes = try reader.integer("rounding_hyperplanes", in: 1...100_000)
        referenceIterations = try reader.integer("reference_iterations", in: 0...10_000_000)
        dataSeed = UInt64(try reader.integer("data_seed", in: 0...Int(Int32.max)))
        try reader.finish()
    }
}
