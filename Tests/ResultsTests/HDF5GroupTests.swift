import Foundation
import Testing
@testable import Results

/// Group navigation: creating, opening, listing and removing members.
@Suite struct HDF5GroupTests {
    @Test func membersAreListedSortedWithTheirKinds() throws {
        let directory = try ResultsFixtures.temporaryDirectory("group")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try HDF5File.create(directory + "/g.h5")
        let root = try file.root()
        let scores = try root.createGroup("scores")
        #expect(scores.path == "/scores")
        _ = try scores.createGroup("self")
        _ = try scores.group("external")
        try scores.writeDataset("tau", [1.0, 2.0])
        #expect(try scores.group("external").path == "/scores/external")
        #expect(try scores.childNames() == ["external", "self", "tau"])
        #expect(try scores.groupNames() == ["external", "self"])
        #expect(try scores.kind(of: "tau") == .dataset)
        #expect(try scores.kind(of: "self") == .group)
        #expect(try scores.contains("self"))
        #expect(try !scores.contains("nope"))
        try scores.remove("self")
        #expect(try scores.childNames() == ["external", "tau"])
        #expect(try root.childNames() == ["scores"])
    }

    @Test func badNamesAndWrongKindsThrowNamingThePath() throws {
        let directory = try ResultsFixtures.temporaryDirectory("groupbad")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/g.h5"
        let file = try HDF5File.create(path)
        let root = try file.root()
        try root.writeDataset("column", [1, 2, 3])
        let notGroup = #expect(throws: HDF5Error.self) { try root.openGroup("column") }
        #expect(notGroup?.description == "\(path): /column: is not a group")
        let missing = #expect(throws: HDF5Error.self) { try root.openGroup("absent") }
        #expect(missing?.description == "\(path): /absent: is missing")
        for bad in ["", "a/b", ".", ".."] {
            #expect(throws: HDF5Error.self) { try root.createGroup(bad) }
        }
        #expect(throws: HDF5Error.self) { try root.createGroup("column") }
    }
}
