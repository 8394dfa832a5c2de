import ArgumentParser
import Workloads

/// `optbench verify-tsp`: recomputes every stored optimal tour length of the tsp
/// workload's reference file with Held–Karp and compares (build with -c release: 20-city
/// Held–Karp takes seconds per instance in a debug build).
struct VerifyTSPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-tsp", abstract: "Re-check the stored optimal tsp tour lengths with exact Held-Karp.")

    @Argument(help: "The reference file.") var path = "workloads/references/tsp.json"
    @Option(parsing: .unconditional, help: "Relative tolerance.") var tolerance = 1e-9

    mutating func validate() throws {
        try ArgumentCheck.existingFile(path, argument: "<path>")
        try ArgumentCheck.positive(tolerance, atMost: 1, argument: "--tolerance")
    }

    mutating func run() throws {
        let check = try TSPReference.verify(contentsOf: path, tolerance: tolerance) { done, total in
            if done % 10 == 0 || done == total { print("  \(done)/\(total) instances solved") }
        }
        print(check)
        if !check.passed { throw ExitCode.failure }
    }
}
