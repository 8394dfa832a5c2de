import Foundation
import Testing
@testable import Results

/// Scalar attributes: every type round-trips, replacing works, wrong types are reported.
@Suite struct HDF5AttributesTests {
    @Test func everyAttributeTypeRoundTrips() throws {
        let directory = try ResultsFixtures.temporaryDirectory("attrs")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/a.h5"
        try HDF5File.writeAtomically(to: path) { root in
            let g = try root.createGroup("g")
            try g.setAttribute("text", "naïve — ✓")
            try g.setAttribute("empty", "")
            try g.setAttribute("nul", "a\0b")
            try g.setAttribute("pi", Double.pi)
            try g.setAttribute("nan", Double.nan)
            try g.setAttribute("negative_infinity", -Double.infinity)
            try g.setAttribute("count", Int.min)
            try g.setAttribute("seed", UInt64.max)
            try g.setAttribute("replaced", "old")
            try g.setAttribute("replaced", 7)
        }
        let g = try HDF5File.open(path).root().openGroup("g")
        #expect(try g.stringAttribute("text") == "naïve — ✓")
        #expect(try g.stringAttribute("empty") == "")
        #expect(try g.stringAttribute("nul") == "a\u{FFFD}b")
        #expect(try g.doubleAttribute("pi") == Double.pi)
        #expect(try g.doubleAttribute("nan").isNaN)
        #expect(try g.doubleAttribute("negative_infinity") == -.infinity)
        #expect(try g.intAttribute("count") == Int.min)
        #expect(try g.uint64Attribute("seed") == UInt64.max)
        #expect(try g.intAttribute("replaced") == 7)
        #expect(try g.doubleAttribute("replaced") == 7.0)
        #expect(try g.attributeNames() == ["count", "empty", "nan", "negative_infinity", "nul", "pi", "replaced", "seed", "text"])
        #expect(try g.hasAttribute("pi"))
        #expect(try !g.hasAttribute("tau"))
    }

    @Test func readingTheWrongTypeOrAMissingAttributeThrows() throws {
        let directory = try ResultsFixtures.temporaryDirectory("attrbad")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/a.h5"
        let root = try HDF5File.create(path).root()
        try root.setAttribute("name", "adamw")
        try root.setAttribute("rate", 0.5)
        try root.setAttribute("seed", UInt64.max)
        let text = #expect(throws: HDF5Error.self) { try root.doubleAttribute("name") }
        #expect(text?.description == "\(path): /: attribute 'name' must be a number")
        let float = #expect(throws: HDF5Error.self) { try root.intAttribute("rate") }
        #expect(float?.message == "attribute 'rate' must be an integer")
        #expect(throws: HDF5Error.self) { try root.stringAttribute("rate") }
        // UInt64.max does not fit an Int64 (HDF5's own conversion would clamp it to Int.max).
        let overflow = #expect(throws: HDF5Error.self) { try root.intAttribute("seed") }
        #expect(overflow?.message == "attribute 'seed' value 18446744073709551615 does not fit a signed 64-bit integer")
        try root.setAttribute("offset", -3)
        #expect(throws: HDF5Error.self) { try root.uint64Attribute("offset") }
        try root.setAttribute("small", 5)
        #expect(try root.uint64Attribute("small") == 5)
        let missing = #expect(throws: HDF5Error.self) { try root.stringAttribute("absent") }
        #expect(missing?.message == "attribute 'absent' is missing")
    }
}
