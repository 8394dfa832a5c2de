import Core
import Foundation
import Testing
@testable import Harness

@Suite struct CalibrationTableTests {
    static func spec(_ name: String, variantOf: String? = nil, provisional: Bool, calibration: CalibrationRecord? = nil) -> WorkloadSpec {
        WorkloadSpec(
            name: name, variantOf: variantOf, settings: [:], defaultBatchSize: 8, lossType: .meanSquaredError, metric: "mse",
            direction: .minimize, validationTarget: 0.26751234, testTarget: 0.2481, maxRuntimeSeconds: 0.50077, evalPeriodSeconds: 0.0162886,
            stepHint: 4344, provisional: provisional, calibration: calibration)
    }

    @Test func rowsShowNumbersAndHowTheyWereFound() {
        let record = CalibrationRecord(
            bestSubmission: "nesterov", tuningTrials: 4, reruns: 5, budgetScale: 1.5, date: "2026-12-03T09:10:11Z", cpu: "Intel(R) Xeon(R) Processor")
        var base = Self.spec("toy", provisional: false, calibration: record)
        base.variants = [Self.spec("toy_wide", variantOf: "toy", provisional: true)]
        let lines = CalibrationTable.markdown([base]).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[2] == "| `toy` | mse (min) | nesterov | 4 | 1.5 | 0.2675 | 0.2481 | 0.501 | 0.0163 | 4344 | 2026-12-03, Intel(R) Xeon(R) Processor |")
        #expect(lines[3] == "| `toy_wide` (variant of `toy`) | mse (min) | — | — | — | 0.2675 | 0.2481 | 0.501 | 0.0163 | 4344 | provisional |")
    }

    @Test func freeTextCannotBreakTheTable() {
        #expect(CalibrationTable.cell("A|B`C\nD\u{1b}[2J") == "A B C D [2J")
    }

    /// The README's calibration table is the one the committed specs give.
    @Test func readmeTableIsTheSpecsTable() throws {
        let root = SuiteRunnerTests.repositoryRoot
        let catalog = try SpecCatalog(directory: root.appendingPathComponent("workloads").path)
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let shown = try #require(ReadmeExampleTests.between(readme, "<!-- calibration-table -->\n", "\n\n"))
        #expect(shown == CalibrationTable.markdown(catalog.baseSpecs), "regenerate it with `optbench list --calibration`")
    }
}
