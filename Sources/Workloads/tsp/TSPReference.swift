import Core
import Foundation

/// The exact optimal tour lengths of the `tsp` workload's fixed validation and test
/// instances, computed once with `HeldKarp` and stored in `workloads/references/tsp.json` (a subfolder, so `WorkloadSpec.loadAll` never takes it for a spec)
/// so that building the workload costs nothing; `verify(contentsOf:)` recomputes them.
///
/// Instance `i` of split `s` (`"validation"` or `"test"`) is
/// `TSPInstance.uniform(cities:, seed: TSPInstance.seed(dataSeed:, split: s, index: i))`.
///
/// File format (every field required, no others):
///
///     { "description": "...", "cities": 20, "data_seed": 0,
///       "validation": ["3.81...", ...], "test": ["3.92...", ...] }
///
/// Lengths are decimal strings in Swift's shortest round-trip form, parsed with
/// `Double(_:)`, so they are read back bit for bit (Foundation's JSON number parsing on
/// Linux can be off by a few ulps).
public struct TSPReference: Sendable, Equatable {
    public var cities: Int
    public var dataSeed: UInt64
    /// Optimal tour length of each validation instance.
    public var validation: [Double]
    /// Optimal tour length of each test instance.
    public var test: [Double]

    public init(cities: Int, dataSeed: UInt64, validation: [Double], test: [Double]) {
        self.cities = cities
        self.dataSeed = dataSeed
        self.validation = validation
        self.test = test
    }

    /// The `index`-th instance of `split`.
    public static func instance(cities: Int, dataSeed: UInt64, split: String, index: Int) -> TSPInstance {
        TSPInstance.uniform(cities: cities, seed: TSPInstance.seed(dataSeed: dataSeed, split: split, index: index))
    }

    /// The instances of `split` (`count` of them).
    public static func instances(cities: Int, dataSeed: UInt64, split: String, count: Int) -> [TSPInstance] {
        (0..<count).map { instance(cities: cities, dataSeed: dataSeed, split: split, index: $0) }
    }

    /// Solves every instance with Held–Karp (about 0.2 s per 20-city instance in release).
    /// `progress(done, total)` is called after each instance.
    public static func compute(
        cities: Int, dataSeed: UInt64, validationInstances: Int, testInstances: Int,
        progress: ((Int, Int) -> Void)? = nil
    ) -> TSPReference {
        let total = validationInstances + testInstances
        var done = 0
        func solve(_ split: String, _ count: Int) -> [Double] {
            instances(cities: cities, dataSeed: dataSeed, split: split, count: count).map { instance in
                let length = HeldKarp.solve(instance).length
                done += 1
                progress?(done, total)
                return length
            }
        }
        let validation = solve("validation", validationInstances)
        let test = solve("test", testInstances)
        return TSPReference(cities: cities, dataSeed: dataSeed, validation: validation, test: test)
    }

    /// Reads a reference file strictly (unknown or missing fields, wrong types and
    /// non-positive lengths are errors naming the file and the field).
    public static func load(contentsOf path: String) throws -> TSPReference {
        var reader = try JSONObjectReader(JSONValue.load(contentsOf: path), source: path)
        _ = try reader.string("description")
        let cities = try reader.integer("cities", in: 1...HeldKarp.maximumCities)
        let dataSeed = UInt64(try reader.integer("data_seed", in: 0...Int(Int32.max)))
        func lengths(_ key: String) throws -> [Double] {
            try reader.array(key).enumerated().map { index, value in
                guard case .string(let text) = value, let x = Double(text), x.isFinite, x > 0 else {
                    throw InputError(source: path, field: "\(key)[\(index)]", message: "must be a positive tour length written as a decimal string, found \(value.serialized)")
                }
                return x
            }
        }
        let validation = try lengths("validation")
        let test = try lengths("test")
        try reader.finish()
        return TSPReference(cities: cities, dataSeed: dataSeed, validation: validation, test: test)
    }

    /// The file text: lengths as strings in Swift's shortest round-trip representation.
    public var fileText: String {
        func list(_ values: [Double]) -> String {
            stride(from: 0, to: values.count, by: 4).map { start in
                "    " + values[start..<min(start + 4, values.count)].map { "\"\($0)\"" }.joined(separator: ", ")
            }.joined(separator: ",\n")
        }
        let description = "Optimal tour lengths (exact, Held-Karp) of the tsp workload's validation and test instances. "
            + "Instance i of split s is \(cities) cities uniform in [0,1)^2 drawn as x,y pairs of 24-bit floats by "
            + "RandomGenerator(seed: StableHash.seed(tsp.instance, data_seed, s, i)); lengths are Euclidean in Double. "
            + "Re-check: TSPReference.verify(contentsOf:)."
        return """
            {
              "description": "\(description)",
              "cities": \(cities),
              "data_seed": \(dataSeed),
              "validation": [
            \(list(validation))
              ],
              "test": [
            \(list(test))
              ]
            }

            """
    }

    /// Writes `fileText` to `path` atomically.
    public func write(to path: String) throws {
        try fileText.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Recomputes every stored length with Held–Karp and compares: the independent re-check
    /// of the stored reference. An instance matches when
    /// `|stored − recomputed| ≤ tolerance · recomputed`.
    public static func verify(
        contentsOf path: String, tolerance: Double = 1e-9, progress: ((Int, Int) -> Void)? = nil
    ) throws -> TSPReferenceCheck {
        let stored = try load(contentsOf: path)
        let recomputed = compute(
            cities: stored.cities, dataSeed: stored.dataSeed, validationInstances: stored.validation.count,
            testInstances: stored.test.count, progress: progress)
        return TSPReferenceCheck(stored: stored, recomputed: recomputed, tolerance: tolerance)
    }
}

/// The outcome of re-checking a stored `TSPReference` against fresh Held–Karp solutions.
public struct TSPReferenceCheck: Sendable, CustomStringConvertible {
    /// One instance whose stored length differs from the recomputed optimum.
    public struct Mismatch: Sendable, Equatable {
        public let split: String
        public let index: Int
        public let stored: Double
        public let recomputed: Double
    }

    public let instances: Int
    public let tolerance: Double
    /// Largest `|stored − recomputed| / recomputed` over all instances.
    public let maximumRelativeError: Double
    public let mismatches: [Mismatch]

    public var passed: Bool { mismatches.isEmpty }

    init(stored: TSPReference, recomputed: TSPReference, tolerance: Double) {
        var worst = 0.0
        var mismatches: [Mismatch] = []
        for (split, a, b) in [("validation", stored.validation, recomputed.validation), ("test", stored.test, recomputed.test)] {
            for (index, (s, r)) in zip(a, b).enumerated() {
                let error = abs(s - r) / r
                worst = max(worst, error)
                if !(error <= tolerance) { mismatches.append(Mismatch(split: split, index: index, stored: s, recomputed: r)) }
            }
        }
        instances = stored.validation.count + stored.test.count
        self.tolerance = tolerance
        maximumRelativeError = worst
        self.mismatches = mismatches
    }

    public var description: String {
        if passed {
            return "TSP reference: all \(instances) optimal lengths re-checked with Held-Karp (max relative difference \(maximumRelativeError), tolerance \(tolerance))"
        }
        let lines = mismatches.prefix(10).map { "  \($0.split)[\($0.index)]: stored \($0.stored), Held-Karp \($0.recomputed)" }
        return (["TSP reference: \(mismatches.count) of \(instances) stored lengths differ from Held-Karp (tolerance \(tolerance)):"] + lines)
            .joined(separator: "\n")
    }
}
