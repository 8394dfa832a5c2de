import ArgumentParser
import Core
import Foundation
import Harness
import Submissions
import Workloads

/// `optbench list`: what can be run.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List workloads (with variants), submissions and profiles.")

    @Option(help: "Folder of workload specs and profiles.json.") var workloadsDir = "workloads"
    @Flag(help: "Print only the calibration table (Markdown, as in the README): each workload's and variant's targets, budget, and how and where they were calibrated.")
    var calibration = false

    mutating func validate() throws {
        try ArgumentCheck.existingFolder(workloadsDir, argument: "--workloads-dir")
    }

    mutating func run() throws {
        // Everything is loaded (and validated) before anything is printed.
        let catalog = try SpecCatalog(directory: workloadsDir)
        if calibration {
            print(CalibrationTable.markdown(catalog.baseSpecs))
            return
        }
        let profiles = try Profile.loadAll(contentsOf: "\(workloadsDir)/profiles.json")
        print("workloads (\(workloadsDir)):")
        for spec in catalog.baseSpecs {
            print("  \(Self.describe(spec))")
            for variant in spec.variants { print("    variant \(Self.describe(variant))") }
        }
        print("submissions:")
        for submission in SubmissionRegistry.all {
            print("  \(submission.name)  (tunes \(submission.searchSpace.names.joined(separator: ", ")))")
        }
        print("profiles (\(workloadsDir)/profiles.json):")
        for profile in profiles {
            print("  \(profile.name): \(profile.description)")
        }
    }

    static func describe(_ spec: WorkloadSpec) -> String {
        let target = String(format: "%.4g", spec.validationTarget)
        let registered = WorkloadRegistry.names.contains(spec.baseName) ? "" : "  [no implementation]"
        return "\(spec.name): \(spec.metric) \(spec.direction == .minimize ? "≤" : "≥") \(target) within \(spec.maxRuntimeSeconds) s"
            + (spec.provisional ? " (provisional)" : "") + registered
    }
}
