import Testing
@testable import Core

struct PlainNameTests {
    @Test func acceptsTheProjectsNames() {
        for name in ["adamw", "schedule_free_adamw", "cnn_wide", "bilevel_hyperclean_corrupt70", "calibration_tuning",
                     "one_minus_beta1", "quick", "run-2026.12.02", "A1", String(repeating: "x", count: 64)] {
            #expect(PlainName.isValid(name), "\(name)")
        }
    }

    @Test func rejectsNamesThatCouldReachAShellAScriptOrAPath() {
        for name in ["", ".", "..", "../x", "a/b", "-rf", "_x", ".hidden", "x';system 'id > PWNED';a='", "a b", "a\nb",
                     "a\"b", "a`id`", "a$b", "a\\b", "é", "a\u{0}b", String(repeating: "x", count: 65)] {
            #expect(!PlainName.isValid(name), "\(PlainName.escaped(name))")
        }
    }

    @Test func errorsNameTheSourceAndFieldAndEscapeTheName() {
        do {
            try PlainName.validated("x'\n\u{1B}[31m", source: "spec.json", field: "variants[0].name")
            Issue.record("expected an error")
        } catch let error as InputError {
            #expect(error.description == #"spec.json: field 'variants[0].name' must be a plain name (1 to 64 characters: ASCII letters, digits, '_', '-' or '.', starting with a letter or digit), found "x'\n\u{1B}[31m""#)
            #expect(!error.description.contains("\n"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
