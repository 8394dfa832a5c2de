import Foundation
import Results
import Tensor

/// Gathers the provenance recorded in every results file: tool version, git commit,
/// command line, host, CPU, cores, BLAS and its threads, Swift version, date.
public enum ProvenanceCollector {
    /// Version of the results layout written by this build.
    public static let schemaVersion = ResultsLayout.schemaVersion
    /// OptBench's own version. 0.3.0: a calibration trial's step hint is scaled with its
    /// budget (`TrialRequest.budget(on:)`); 0.2.0 gave it the spec's. 0.2.0: a one-thread
    /// trial's submission time (and its rows' `wall_time`) is its thread's CPU time
    /// (`TrialClock`); 0.1.0 read wall time always.
    public static let toolVersion = "0.3.0"

    /// Provenance of this process now. `repository` is where `git` is asked for the commit.
    public static func current(commandLine: [String] = CommandLine.arguments, repository: String = FileManager.default.currentDirectoryPath) -> Provenance {
        Provenance(
            schemaVersion: schemaVersion, toolVersion: toolVersion, gitCommit: gitCommit(in: repository),
            commandLine: commandLine.joined(separator: " "), host: ProcessInfo.processInfo.hostName,
            cpu: cpuModel() ?? "unknown CPU", cores: ProcessInfo.processInfo.activeProcessorCount,
            blas: BLAS.configuration, blasThreads: BLAS.threadCount, swiftVersion: buildDescription,
            created: ISO8601DateFormatter().string(from: Date()))
    }

    /// The compiler and the convolution library with the instruction set its kernels run
    /// with: oneDNN picks them at run time, and another instruction set blocks the data
    /// differently, so sums run in another order and results differ in the last bits.
    public static var buildDescription: String {
        swiftVersion + "; convolution: oneDNN \(OneDNN.version) (\(OneDNN.isa))"
    }

    /// The compiler this binary was built with.
    public static var swiftVersion: String {
        #if compiler(>=6.4)
        "Swift ≥ 6.4"
        #elseif compiler(>=6.3)
        "Swift 6.3"
        #elseif compiler(>=6.2)
        "Swift 6.2"
        #elseif compiler(>=6.1)
        "Swift 6.1"
        #else
        "Swift 6.0"
        #endif
    }

    /// `git rev-parse HEAD` in `directory`, with "+dirty" when tracked files are modified;
    /// "unknown" outside a repository.
    public static func gitCommit(in directory: String) -> String {
        guard let head = run(["git", "-C", directory, "rev-parse", "HEAD"]), !head.isEmpty else { return "unknown" }
        let status = run(["git", "-C", directory, "status", "--porcelain", "--untracked-files=no"]) ?? ""
        return status.isEmpty ? head : head + "+dirty"
    }

    /// The CPU from /proc/cpuinfo: its model name, with its family, model and stepping
    /// where the file gives them (`cpuDescription(cpuinfo:)`).
    public static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        return cpuDescription(cpuinfo: text)
    }

    /// The first processor's `model name`, followed by `(family F, model M, stepping S)`
    /// for the fields present: virtual machines often show one generic name ("AMD EPYC")
    /// for several generations, whose seconds a budget must not mix. Nil without a model name.
    public static func cpuDescription(cpuinfo text: String) -> String? {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty && !fields.isEmpty { break }  // end of the first processor
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        guard let name = fields["model name"], !name.isEmpty else { return nil }
        let identity = [("family", "cpu family"), ("model", "model"), ("stepping", "stepping")].compactMap { label, key in
            fields[key].flatMap { $0.isEmpty ? nil : "\(label) \($0)" }
        }
        return identity.isEmpty ? name : "\(name) (\(identity.joined(separator: ", ")))"
    }

    private static func run(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
