import Foundation
import Testing
@testable import Results

/// Opening, creating and atomically writing/updating HDF5 files.
@Suite struct HDF5FileTests {
    @Test func openingSomethingThatIsNotHDF5ThrowsNamingTheFile() throws {
        let directory = try ResultsFixtures.temporaryDirectory("open")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = directory + "/notes.h5"
        try "not hdf5".write(toFile: text, atomically: true, encoding: .utf8)
        let error = #expect(throws: HDF5Error.self) { try HDF5File.open(text) }
        #expect(error?.file == text)
        #expect(error?.description.hasPrefix("\(text): cannot be opened as HDF5") == true)
        // HDF5's own most specific message is appended.
        #expect(error?.description.contains("file signature not found") == true)
    }

    @Test func writeAtomicallyRemovesTheTemporaryWhenTheBodyThrows() throws {
        let directory = try ResultsFixtures.temporaryDirectory("body")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/scores.h5"
        try HDF5File.writeAtomically(to: path) { root in try root.setAttribute("version", 1) }
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try HDF5File.writeAtomically(to: path) { root in
                try root.setAttribute("version", 2)
                throw Stop()
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["scores.h5"])
        let file = try HDF5File.open(path)
        #expect(try file.root().intAttribute("version") == 1)
    }

    @Test func updateAtomicallyAddsToAFileAndLeavesItAloneOnFailure() throws {
        let directory = try ResultsFixtures.temporaryDirectory("update")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/results.h5"
        try HDF5File.writeAtomically(to: path) { root in try root.createGroup("trials").writeDataset("x", [1.0, 2.0]) }
        try HDF5File.updateAtomically(at: path) { root in
            try root.group("scores").createGroup("external").writeDataset("score", [0.5])
        }
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try HDF5File.updateAtomically(at: path) { root in
                try root.remove("trials")
                throw Stop()
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["results.h5"])
        let root = try HDF5File.open(path).root()
        #expect(try root.childNames() == ["scores", "trials"])
        #expect(try root.openGroup("trials").doubleDataset("x") == [1.0, 2.0])
        #expect(try root.openGroup("scores").openGroup("external").doubleDataset("score") == [0.5])
        #expect(throws: HDF5Error.self) { try HDF5File.updateAtomically(at: directory + "/missing.h5") { _ in } }
    }

    @Test func closingTheFileInvalidatesItsGroups() throws {
        let directory = try ResultsFixtures.temporaryDirectory("close")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try HDF5File.create(directory + "/f.h5")
        let group = try file.root().createGroup("g")
        try file.close()
        try file.close()
        #expect(throws: HDF5Error.self) { try file.root() }
        #expect(throws: HDF5Error.self) { try group.setAttribute("a", 1) }
    }
}
