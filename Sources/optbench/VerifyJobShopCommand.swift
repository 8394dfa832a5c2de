import ArgumentParser
import Core
import Foundation
import Harness
import Workloads

/// `optbench verify-jobshop`: re-reads the jobshop workload's stored benchmark instances
/// (SHA-256 against the spec; every proven optimum against the file's own bounds and the
/// instance's trivial lower bound) and prints the mean optimality gaps of the classical
/// dispatching rules on the spec's validation and test sets, so a learned policy's gap can
/// be placed beside them.
struct VerifyJobShopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-jobshop",
        abstract: "Re-check the jobshop benchmark optima and print the gaps of SPT, MWKR, MOPNR and FIFO.")

    @Argument(help: "The jobshop spec.") var spec = "workloads/jobshop.json"

    mutating func validate() throws {
        try ArgumentCheck.existingFile(spec, argument: "<spec>")
    }

    mutating func run() throws {
        let report = try RuleBaselines.measure(spec: WorkloadSpec.load(contentsOf: spec))
        print("jobshop reference: \(report.path)")
        print("  SHA-256 \(report.sha256) matches the spec")
        print("  \(report.instanceCount) instances, \(report.provenOptima) with a proven optimum: each equals its lower and upper bound and is at least its trivial lower bound")
        print("Mean optimality gap of dispatching rules in the active (Giffler-Thompson) simulator;")
        print("every schedule passed the exact checker and none is shorter than its stated optimum:")
        let rules = DispatchingRule.allCases
        print("set".leftAligned(26) + rules.map { $0.rawValue.rightAligned(8) }.joined() + "  instances")
        for set in report.sets {
            print(set.label.leftAligned(26) + set.gaps.map { String(format: "%.3f", $0).rightAligned(8) }.joined() + "  " + set.names.joined(separator: " "))
        }
    }
}
