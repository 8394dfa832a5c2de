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
}
