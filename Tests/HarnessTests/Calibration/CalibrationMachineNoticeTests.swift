import Core
import Testing
@testable import Harness

@Suite struct CalibrationMachineNoticeTests {
    static func spec(_ name: String, cpu: String?, provisional: Bool = false) -> WorkloadSpec {
        let record = cpu.map {
            CalibrationRecord(bestSubmission: "adamw", tuningTrials: 4, reruns: 5, budgetScale: 0.5, date: "2026-12-04T20:00:00Z", cpu: $0)
        }
        return CalibrationTableTests.spec(name, provisional: provisional, calibration: record)
    }

    @Test func namesTheWorkloadsCalibratedOnAnotherRecordedCPUGroupedByIt() {
        let here = "AMD EPYC (family 26, model 2, stepping 1)"
        let specs = [
            Self.spec("tsp", cpu: here), Self.spec("cnn", cpu: "AMD EPYC"), Self.spec("cnn", cpu: "AMD EPYC"),
            Self.spec("kjv", cpu: "Intel(R) Xeon(R)"), Self.spec("regression", cpu: "AMD EPYC"),
            Self.spec("draft", cpu: nil, provisional: true),
        ]
        #expect(CalibrationMachineNotice.line(for: specs, cpu: here) ==
            "note: budgets are seconds of the calibrating machine; this machine is AMD EPYC (family 26, model 2, stepping 1); "
            + "calibrated elsewhere: cnn, regression on AMD EPYC; kjv on Intel(R) Xeon(R) (see README, Calibration)")
    }

    @Test func saysNothingWhenEveryCalibratedWorkloadMatchesAndKeepsRecordedTextPlain() {
        #expect(CalibrationMachineNotice.line(for: [Self.spec("tsp", cpu: "X"), Self.spec("new", cpu: nil, provisional: true)], cpu: "X") == nil)
        let line = CalibrationMachineNotice.line(for: [Self.spec("tsp", cpu: "Y\u{1b}[2J|`")], cpu: "X")
        #expect(line?.contains("\u{1b}") == false && line?.contains("|") == false)
    }
}
