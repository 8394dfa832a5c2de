import Foundation
import Testing
@testable import Results

/// One-dimensional datasets: each element type, zero length, type and existence checks.
@Suite struct HDF5DatasetsTests {
    @Test func columnsOfEveryTypeRoundTripIncludingEmptyOnes() throws {
        let directory = try ResultsFixtures.temporaryDirectory("datasets")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/d.h5"
        let doubles = [0.1, -2.5e300, .nan, .infinity, 5e-324]
        let floats: [Float] = [1.5, .nan, -.infinity, 1e-45]
        let ints = [Int.min, -1, 0, Int.max]
        let strings = ["adamw", "", "naïve — ✓", "a\0b"]
        try HDF5File.writeAtomically(to: path) { root in
            try root.writeDataset("d", doubles)
            try root.writeDataset("f", floats)
            try root.writeDataset("i", ints)
            try root.writeDataset("s", strings)
            try root.writeDataset("d0", [Double]())
            try root.writeDataset("f0", [Float]())
            try root.writeDataset("i0", [Int]())
            try root.writeDataset("s0", [String]())
        }
        let root = try HDF5File.open(path).root()
        #expect(try root.doubleDataset("d").map(\.bitPattern) == doubles.map(\.bitPattern))
        #expect(try root.floatDataset("f").map(\.bitPattern) == floats.map(\.bitPattern))
        #expect(try root.intDataset("i") == ints)
        #expect(try root.stringDataset("s") == ["adamw", "", "naïve — ✓", "a\u{FFFD}b"])
        #expect(try root.doubleDataset("d0").isEmpty)
        #expect(try root.floatDataset("f0").isEmpty)
        #expect(try root.intDataset("i0").isEmpty)
        #expect(try root.stringDataset("s0").isEmpty)
        #expect(try root.datasetCount("d") == 5)
        #expect(try root.datasetCount("s0") == 0)
        // Numbers convert: int64 reads as Double, float32 as Double.
        #expect(try root.doubleDataset("f").first == 1.5)
        #expect(try root.doubleDataset("i")[3] == Double(Int.max))
    }

    @Test func wrongTypesDuplicatesAndGroupsAreRejected() throws {
        let directory = try ResultsFixtures.temporaryDirectory("datasetbad")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/d.h5"
        let root = try HDF5File.create(path).root()
        try root.writeDataset("names", ["a"])
        try root.writeDataset("rates", [0.5])
        _ = try root.createGroup("g")
        let strings = #expect(throws: HDF5Error.self) { try root.doubleDataset("names") }
        #expect(strings?.description == "\(path): /names: must hold numbers")
        let floats = #expect(throws: HDF5Error.self) { try root.intDataset("rates") }
        #expect(floats?.message == "must hold integers")
        #expect(throws: HDF5Error.self) { try root.stringDataset("rates") }
        let group = #expect(throws: HDF5Error.self) { try root.doubleDataset("g") }
        #expect(group?.message == "is not a dataset")
        let duplicate = #expect(throws: HDF5Error.self) { try root.writeDataset("rates", [1.0]) }
        #expect(duplicate?.message == "already exists")
        #expect(try root.doubleDataset("rates") == [0.5])
    }
}
