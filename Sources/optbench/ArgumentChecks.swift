import ArgumentParser
import Core
import Foundation

/// Checks of command-line arguments shared by the commands' `validate()`. Each throws a
/// `ValidationError` (exit status 64, with the usage) whose text names the argument and
/// the reason, with hostile text shown escaped (`PlainName.escaped`).
///
/// Numeric options are declared with `parsing: .unconditional`, so a negative value such
/// as `--threads -3` reaches these checks instead of reading as a missing value.
enum ArgumentCheck {
    /// `--threads`, `--jobs`.
    static let threads = 1...1024
    /// `--study`, `--trial`.
    static let index = 0...1_000_000
    /// `--max-steps`, `--eval-every-steps`.
    static let steps = 1...1_000_000_000
    /// `--seed` of a suite.
    static let suiteSeed = 0...Int.max
    /// Largest `--budget-scale`.
    static let maximumBudgetScale = 1000.0

    /// Prints `Error: <message>` and returns the usage-error exit status (64) to throw:
    /// for checks that can only run in `run()`, where a `ValidationError` would print the
    /// root command's usage instead of this one's.
    static func usageError(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        return ExitCode.validationFailure
    }

    /// A comma-separated list of plain names, none repeated and none empty; nil when
    /// `text` is nil.
    static func nameList(_ text: String?, argument: String) throws -> [String]? {
        guard let text else { return nil }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: .whitespaces)
        }
        guard !(names.count == 1 && names[0].isEmpty) else {
            throw ValidationError("\(argument) must list at least one name, got an empty list")
        }
        try plainNames(names, argument: argument)
        return names
    }

    /// `names` are plain names (`PlainName`) without duplicates.
    static func plainNames(_ names: [String], argument: String) throws {
        for (index, name) in names.enumerated() {
            try plainName(name, argument: argument)
            guard !names[..<index].contains(name) else {
                throw ValidationError("\(argument) names \(PlainName.escaped(name)) more than once")
            }
        }
    }

    /// `name` is a plain name (`PlainName`).
    static func plainName(_ name: String, argument: String) throws {
        guard PlainName.isValid(name) else {
            throw ValidationError("\(argument) must be a plain name (\(PlainName.ruleDescription)), got \(PlainName.escaped(name))")
        }
    }

    /// `value` is an integer in `range`.
    static func within(_ value: Int, _ range: ClosedRange<Int>, argument: String) throws {
        guard range.contains(value) else {
            throw ValidationError("\(argument) must be an integer from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
    }

    /// `value` is finite, positive and at most `maximum`.
    static func positive(_ value: Double, atMost maximum: Double, argument: String) throws {
        guard value.isFinite, value > 0, value <= maximum else {
            throw ValidationError("\(argument) must be a number greater than 0 and at most \(String(format: "%g", maximum)), got \(value)")
        }
    }

    /// `path` is an existing regular file or folder (what results readers take).
    static func existingFileOrFolder(_ path: String, argument: String) throws {
        switch FileAccess.kind(of: path) {
        case .regularFile, .folder: return
        case .missing: throw failure(argument, "no such file or folder: \(PlainName.escaped(path))")
        case .other: throw failure(argument, "is not a regular file or folder: \(PlainName.escaped(path))")
        }
    }

    /// `path` is an existing regular file.
    static func existingFile(_ path: String, argument: String) throws {
        switch FileAccess.kind(of: path) {
        case .regularFile: return
        case .missing: throw failure(argument, "no such file: \(PlainName.escaped(path))")
        case .folder: throw failure(argument, "is a folder, not a file: \(PlainName.escaped(path))")
        case .other: throw failure(argument, "is not a regular file: \(PlainName.escaped(path))")
        }
    }

    /// `path` is an existing folder.
    static func existingFolder(_ path: String, argument: String) throws {
        switch FileAccess.kind(of: path) {
        case .folder: return
        case .missing: throw failure(argument, "no such folder: \(PlainName.escaped(path))")
        case .regularFile, .other: throw failure(argument, "is not a folder: \(PlainName.escaped(path))")
        }
    }

    /// `path` can become a folder to write into: not empty, and not an existing file.
    static func folderToWrite(_ path: String, argument: String) throws {
        guard !path.isEmpty else { throw failure(argument, "must be a folder path, found an empty one") }
        switch FileAccess.kind(of: path) {
        case .folder, .missing: return
        case .regularFile, .other: throw failure(argument, "must be a folder, found an existing file: \(PlainName.escaped(path))")
        }
    }

    /// `path` can become a file written atomically: not empty, not an existing folder or
    /// device, not under an existing file, and none of `inputs` (so no input is overwritten).
    static func fileToWrite(_ path: String, argument: String, notAmong inputs: [String] = []) throws {
        guard !path.isEmpty else { throw failure(argument, "must be a file path, found an empty one") }
        switch FileAccess.kind(of: path) {
        case .regularFile, .missing: break
        case .folder: throw failure(argument, "must be a file, found a folder: \(PlainName.escaped(path))")
        case .other: throw failure(argument, "must be a regular file: \(PlainName.escaped(path))")
        }
        // Missing folders are created; the nearest one that exists must be a folder.
        var ancestor = (path as NSString).deletingLastPathComponent
        while !ancestor.isEmpty, ancestor != "/", FileAccess.kind(of: ancestor) == .missing {
            ancestor = (ancestor as NSString).deletingLastPathComponent
        }
        switch FileAccess.kind(of: ancestor.isEmpty ? "." : ancestor) {
        case .folder, .missing: break
        case .regularFile, .other: throw failure(argument, "must be in a folder, found the file \(PlainName.escaped(ancestor))")
        }
        let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        let overwritten = inputs.contains { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path == target }
        guard !overwritten else { throw failure(argument, "must not be one of the inputs: \(PlainName.escaped(path))") }
    }

    /// `paths` name no file or folder twice.
    static func distinct(_ paths: [String], argument: String) throws {
        let resolved = paths.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path }
        for (index, path) in resolved.enumerated() where resolved[..<index].contains(path) {
            throw failure(argument, "names \(PlainName.escaped(paths[index])) twice")
        }
    }

    private static func failure(_ argument: String, _ message: String) -> ValidationError {
        ValidationError(InputError(source: argument, field: nil, message: message).description)
    }
}
