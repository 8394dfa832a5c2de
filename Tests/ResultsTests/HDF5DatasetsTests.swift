import CHDF5
import Foundation
import Testing
@testable import Results

/// One-dimensional datasets: each element type, zero length, type and existence checks.
@Suite struct HDF5DatasetsTests {
    @Test func aDeclaredSizeBeyondTheFileIsRefusedBeforeAllocating() throws {
        let directory = try ResultsFixtures.temporaryDirectory("huge")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/huge.h5"
        // A valid HDF5 file, a few KB, whose datasets declare 2^40 and 2^59 elements with
        // no storage: HDF5 reads fill values, so trusting the size allocates exabytes.
        try HDF5File.writeAtomically(to: path) { root in
            for (name, count, type) in [("doubles", hsize_t(1) << 40, HDF5Library.nativeDouble), ("ints", hsize_t(1) << 59, HDF5Library.nativeInt64)] {
                var dimensions = [count]
                let space = H5Screate_simple(1, &dimensions, nil)
                defer { H5Sclose(space) }
                let dataset = H5Dcreate2(root.id, name, type, space, HDF5Library.defaultProperties, HDF5Library.defaultProperties, HDF5Library.defaultProperties)
                #expect(dataset >= 0)
                H5Dclose(dataset)
            }
            let text = try HDF5Library.makeStringType(bytes: 1 << 40)
            defer { H5Tclose(text) }
            let space = H5Screate(H5S_SCALAR)
            defer { H5Sclose(space) }
            let attribute = H5Acreate2(root.id, "huge_string", text, space, HDF5Library.defaultProperties, HDF5Library.defaultProperties)
            if attribute >= 0 { H5Aclose(attribute) }
        }
        let root = try HDF5File.open(path).root()
        #expect(try root.datasetCount("doubles") == 1 << 40)
        let doubles = #expect(throws: HDF5Error.self) { try root.doubleDataset("doubles") }
        #expect(doubles?.message == "declares 1099511627776 elements, more than its file holds (corrupt)")
        let ints = #expect(throws: HDF5Error.self) { try root.intDataset("ints") }
        #expect(ints?.message == "declares 576460752303423488 elements, more than its file holds (corrupt)")
        if try root.hasAttribute("huge_string") {
            let string = #expect(throws: HDF5Error.self) { try root.stringAttribute("huge_string") }
            #expect(string?.message.contains("more than its file holds") == true)
        }
    }

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
