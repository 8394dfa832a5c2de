import Core
import Testing
@testable import Benchmarks
import Submissions

/// `--updates` names and the update table's formatting; no timing is asserted.
@Suite struct UpdateTableTests {
    @Test func namesResolveToRegisteredSubmissionsInOrder() throws {
        let found = try UpdateTable.submissions(named: ["lion", "adamw"])
        #expect(found.map { $0.name } == ["lion", "adamw"])
        #expect(UpdateTable.defaultSubmissions.map { $0.name } == ["adamw", "lion", "adafactor"])
    }

    @Test func anUnknownNameIsAnErrorNamingTheArgument() {
        #expect(throws: InputError(
            source: "--updates", field: nil, message: "no registered submission named 'adamx' (see `optbench list`)")
        ) {
            try UpdateTable.submissions(named: ["adamw", "adamx"])
        }
    }

    @Test func rowsShowTimeBandwidthAndItsShareOfTheHigherCopyRate() {
        let measured = UpdateThroughput.Measurement(submission: "adamw", parameters: 10, secondsPerStep: 0.01, bytesPerStep: 200_000_000)
        let lines = UpdateTable.lines([measured], bandwidth: Bracket(before: 40, after: 25))
        #expect(lines == [
            "memory copy before and after the update table: 40.0 and 25.0 GB/s (ratios use the higher)",
            "optimizer update, 10M parameters (ideal traffic: θ, g, θ′ and 2 × state)   GB/s   / copy bandwidth",
            "  adamw          10.00 ms/step " + "20.0".rightAligned(47) + "      50%",
        ])
    }

    @Test func bracketMeasuresAroundTheBodyAndDividesByTheHigher() {
        var calls: [String] = []
        var reading = 0.0
        let (result, bracket) = Bracket.around(by: { calls.append("reference"); reading += 3; return reading }) {
            calls.append("body")
            return 7
        }
        #expect(result == 7 && calls == ["reference", "body", "reference"])
        #expect(bracket == Bracket(before: 3, after: 6) && bracket.higher == 6)
    }
}
