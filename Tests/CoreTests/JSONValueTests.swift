import Core
import Foundation
import Testing

@Suite struct JSONValueTests {
    static func parse(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Data(text.utf8), source: "test.json")
    }

    @Test func numbersAreCorrectlyRounded() throws {
        #expect(try Self.parse("3.0000000000000004e-08") == .number(3.0000000000000004e-08))
        #expect(try Self.parse("[0.1, 1e-300, -2.5e10, 7]") == .array([.number(0.1), .number(1e-300), .number(-2.5e10), .number(7)]))
    }

    @Test func serialisedNumbersParseBackBitForBit() throws {
        var state: UInt64 = 12345
        for _ in 0..<2000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let x = Double(bitPattern: (state >> 2) | 0x3000_0000_0000_0000) * (state & 1 == 0 ? 1 : -1)
            guard x.isFinite else { continue }
            let text = JSONValue.object(["x": .number(x)]).serialized
            #expect(try Self.parse(text) == .object(["x": .number(x)]), "\(text)")
        }
    }

    @Test func booleansNullsStringsAndNesting() throws {
        #expect(try Self.parse(#"{"a": true, "b": 1, "c": null, "d": "x\"y", "e": [false, {}]}"#) == .object([
            "a": .bool(true), "b": .number(1), "c": .null, "d": .string("x\"y"), "e": .array([.bool(false), .object([:])]),
        ]))
    }

    @Test func serialisationIsCompactAndSorted() {
        let value = JSONValue.object(["b": .number(2), "a": .array([.string("t\n"), .bool(false), .null]), "c": .number(0.5)])
        #expect(value.serialized == #"{"a":["t\n",false,null],"b":2,"c":0.5}"#)
    }

    @Test func invalidTextNamesTheSource() {
        for text in ["{", "{\"a\": }", "tru", ""] {
            do {
                _ = try Self.parse(text)
                Issue.record("expected an error for \(text)")
            } catch let error as InputError {
                #expect(error.source == "test.json" && error.message.hasPrefix("is not valid JSON"))
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func aKeyGivenTwiceInOneObjectIsAnError() throws {
        #expect(throws: InputError(source: "test.json", field: "step_hint", message: "appears twice in one object")) {
            try Self.parse(#"{"a": {"step_hint": 10, "b": [1, {"step_hint": 2}], "step_hint": 1e300}}"#)
        }
        #expect(throws: InputError(source: "test.json", field: #"x\"y"#, message: "appears twice in one object")) {
            try Self.parse(#"[{"x\"y": 1, "z": "x\"y", "x\"y": 2}]"#)
        }
        #expect(try Self.parse(#"{"a": {"a": 1}, "b": [{"a": 1}, {"a": "a"}], "c": "a", "d": ["a", "a"]}"#) != .null)
    }

    @Test func integersOutsideIntAreErrorsNotTraps() throws {
        for text in ["1e300", "9223372036854775808", "-1e19", "0.5"] {
            var reader = try JSONObjectReader(Self.parse("{\"n\": \(text)}"), source: "test.json")
            do {
                _ = try reader.integer("n")
                Issue.record("expected an error for \(text)")
            } catch let error as InputError {
                #expect(error.description.hasPrefix("test.json: field 'n' must be an integer in \(Int.min)...\(Int.max), found"), "\(error)")
            }
        }
        var reader = try JSONObjectReader(Self.parse(#"{"n": -9007199254740992, "m": 3}"#), source: "test.json")
        #expect(try reader.integer("n") == -9_007_199_254_740_992)
        #expect(try reader.optionalInteger("m", in: 1...3) == 3)
        #expect(try reader.optionalInteger("absent", in: 1...3) == nil)
    }

    @Test func positiveNumbersRespectTheirMaximum() throws {
        var reader = try JSONObjectReader(Self.parse(#"{"a": 5, "b": 5.5, "c": -1}"#), source: "test.json")
        #expect(try reader.positiveNumber("a", atMost: 5) == 5)
        #expect(throws: InputError(source: "test.json", field: "b", message: "must be a positive number at most 5.0, found 5.5")) {
            try reader.optionalPositiveNumber("b", atMost: 5)
        }
        #expect(throws: InputError(source: "test.json", field: "c", message: "must be a positive number, found -1.0")) {
            try reader.positiveNumber("c")
        }
    }

    @Test func nameListsAreCheckedAndUnique() throws {
        var reader = try JSONObjectReader(Self.parse(#"{"ok": ["a", "b.c"], "dup": ["a", "a"], "bad": ["a", "../x"], "num": [1]}"#), source: "p.json", path: "p")
        #expect(try reader.plainNames("ok") == ["a", "b.c"])
        #expect(throws: InputError(source: "p.json", field: "p.dup[1]", message: #"duplicates the name "a""#)) { try reader.plainNames("dup") }
        #expect(throws: InputError.self) { try reader.plainNames("bad") }
        #expect(throws: InputError(source: "p.json", field: "p.num[0]", message: "must be a string, found number")) { try reader.plainNames("num") }
    }

    @Test func hostileSourcesAndFieldsAreShownEscaped() {
        let error = InputError(source: "a\nb.json", field: "x\u{1B}[31m", message: "is bad")
        #expect(error.description == #""a\nb.json": field '"x\u{1B}[31m"' is bad"#)
        #expect(InputError(source: "dir with space/é.json", field: "f", message: "m").description == "dir with space/é.json: field 'f' m")
    }

    @Test func loadingNamesThePathAndAReason() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-json-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: InputError(source: folder, field: nil, message: "is a folder, not a file")) { try JSONValue.load(contentsOf: folder) }
        #expect(throws: InputError(source: "\(folder)/none.json", field: nil, message: "no such file")) {
            try JSONValue.load(contentsOf: "\(folder)/none.json")
        }
        #expect(throws: InputError(source: "/dev/zero", field: nil, message: "is not a regular file (a device, pipe or socket)")) {
            try JSONValue.load(contentsOf: "/dev/zero")
        }
    }

    @Test func fileErrorReasonsAreShortAndPlain() {
        #expect(FileAccess.reason(for: CocoaError(.fileReadNoSuchFile)) == "no such file or folder")
        #expect(FileAccess.reason(for: CocoaError(.fileWriteNoPermission)) == "permission denied")
        #expect(FileAccess.reason(for: POSIXError(.ENOSPC)) == "no space left on device")
        let wrapped = NSError(domain: NSCocoaErrorDomain, code: 512, userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES))])
        #expect(FileAccess.reason(for: wrapped) == "permission denied")
        #expect(FileAccess.reason(for: InputError(source: "s", field: nil, message: "m")) == "s: m")
    }
}
