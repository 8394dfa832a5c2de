import Foundation
import Testing

/// Conformance cases kept in `Tests/Fixtures/<name>/` as copies of `../shared/conformance/<name>/`.
enum FixtureCopies {
    /// Expects `fixtures` to hold `count` JSON files and, where `shared` is present, the
    /// same files byte for byte (so the fallback never tests against stale references).
    static func expectIdentical(fixtures: String, shared: String?, count: Int, label: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: fixtures).filter { $0.hasSuffix(".json") }.sorted()
        #expect(names.count == count)
        guard let shared else { return }
        let sharedNames = try FileManager.default.contentsOfDirectory(atPath: shared).filter { $0.hasSuffix(".json") }.sorted()
        #expect(names == sharedNames)
        for name in names {
            let copy = FileManager.default.contents(atPath: fixtures + "/" + name)
            let original = FileManager.default.contents(atPath: shared + "/" + name)
            #expect(copy != nil && copy == original, "Tests/Fixtures/\(label)/\(name) differs from \(shared)/\(name)")
        }
    }
}
