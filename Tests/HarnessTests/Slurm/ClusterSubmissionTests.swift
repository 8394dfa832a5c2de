import Core
import Foundation
import Results
import Testing
@testable import Harness

/// The submission file: what is written reads back the same, bit for bit, and a damaged
/// or hostile file is an error naming the field.
@Suite struct ClusterSubmissionTests {
    static func request(_ submission: String, trial: Int, seed: UInt64 = 18_446_744_073_709_551_557) -> TrialRequest {
        TrialRequest(
            key: TrialKey(submission: submission, workload: "regression", ruleset: "external", study: 0, trial: trial),
            hyperparameters: Hyperparameters(["learning_rate": 3.0000000000000004e-08, "beta2": 0.999]), seed: seed,
            budgetScale: 0.1, stopAtTarget: true, maximumSteps: trial == 0 ? 60 : nil, evalEverySteps: trial == 0 ? 20 : nil)
    }

    static func sample(pending: [Int] = [0, 2], perTask: Int = 1) -> ClusterSubmission {
        ClusterSubmission(
            run: "smoke", executable: "/opt/optbench's bin/optbench", workloadsDirectory: "/w", trialsDirectory: "/r/runs/smoke/trials",
            resultsPath: "/r/smoke.h5", figuresDirectory: nil, threadsPerTrial: 2,
            trials: [request("adamw", trial: 0), request("adamw", trial: 1, seed: 0), request("nesterov", trial: 0)],
            pending: pending, trialsPerTask: perTask)
    }

    static func parse(_ text: String) throws -> ClusterSubmission {
        try ClusterSubmission.parse(JSONValue.parse(Data(text.utf8), source: "submission.json"), source: "submission.json")
    }

    @Test func writtenFileReadsBackIdentically() throws {
        let submission = Self.sample()
        #expect(try Self.parse(submission.jsonText) == submission)
        var withFigures = submission
        withFigures.figuresDirectory = "/p/smoke"
        #expect(try Self.parse(withFigures.jsonText) == withFigures)
    }

    @Test func pendingTrialsAreSplitIntoTasks() {
        let submission = Self.sample(pending: [0, 1, 2], perTask: 2)
        #expect(submission.taskCount == 2)
        #expect(Array(submission.trialIndices(ofTask: 0)) == [0, 1])
        #expect(Array(submission.trialIndices(ofTask: 1)) == [2])
        #expect(submission.trialIndices(ofTask: 2).isEmpty)
        #expect(submission.trialIndices(ofTask: -1).isEmpty)
        #expect(submission.taskOfTrial == [0: 0, 1: 0, 2: 1])
        #expect(Self.sample(pending: []).taskCount == 0)
        // A task's own file holds its trials only, all pending, in one task.
        let second = submission.taskFile(1)
        #expect(second.trials == [submission.trials[2]])
        #expect(second.pending == [0] && second.taskCount == 1 && second.run == submission.run)
        #expect(submission.taskFile(0).trials == Array(submission.trials[0...1]))
    }

    @Test func chunkingFitsMaxArraySize() {
        #expect(ClusterSubmission.trialsPerTask(pending: 4, maxArraySize: 1001) == 1)
        #expect(ClusterSubmission.trialsPerTask(pending: 1001, maxArraySize: 1001) == 1)
        #expect(ClusterSubmission.trialsPerTask(pending: 1002, maxArraySize: 1001) == 2)
        #expect(ClusterSubmission.trialsPerTask(pending: 100_000, maxArraySize: 1001) == 100)
        #expect(ClusterSubmission.trialsPerTask(pending: 4, maxArraySize: 3) == 2)
        #expect(ClusterSubmission.trialsPerTask(pending: 0, maxArraySize: 3) == 1)
        // Every trial lands in a task whose index is below MaxArraySize.
        for (pending, size) in [(100_000, 1001), (7, 3), (5, 5), (6, 5)] {
            let perTask = ClusterSubmission.trialsPerTask(pending: pending, maxArraySize: size)
            #expect((pending + perTask - 1) / perTask <= size)
        }
    }

    /// Each hostile edit of a good file, and the field its error must name.
    @Test func damagedFilesAreErrorsNamingTheField() throws {
        let good = Self.sample().jsonText
        let cases: [(String, String, String)] = [
            ("\"format\":\"optbench-cluster-submission\"", "\"format\":\"other\"", "format"),
            ("\"version\":1", "\"version\":2", "version"),
            ("\"run\":\"smoke\"", "\"run\":\"../etc\"", "run"),
            ("\"workloads_dir\":\"/w\"", "\"workloads_dir\":\"w\"", "workloads_dir"),
            ("\"trials_dir\":\"/r/runs/smoke/trials\"", "\"trials_dir\":\"/r\\n/x\"", "trials_dir"),
            ("\"threads\":2", "\"threads\":0", "threads"),
            ("\"pending\":[0,2]", "\"pending\":[0,3]", "pending[1]"),
            ("\"pending\":[0,2]", "\"pending\":[2,0]", "pending[1]"),
            ("\"pending\":[0,2]", "\"pending\":[0.5]", "pending[0]"),
            ("\"submission\":\"nesterov\"", "\"submission\":\"$(id)\"", "trials[2].submission"),
            ("\"seed\":\"0\"", "\"seed\":\"-1\"", "trials[1].seed"),
            ("\"seed\":\"0\"", "\"seed\":0", "trials[1].seed"),
            ("\"beta2\":0.999", "\"beta 2\":0.999", "trials[0].hyperparameters.beta 2"),
            ("\"budget_scale\":0.1", "\"budget_scale\":-1", "trials[0].budget_scale"),
            ("\"max_steps\":60", "\"max_steps\":0", "trials[0].max_steps"),
            ("\"trials_per_task\":1", "\"trials_per_task\":1,\"extra\":1", "extra"),
            ("\"submission\":\"nesterov\"", "\"submission\":\"adamw\"", "trials[2]"),
        ]
        for (original, replacement, field) in cases {
            #expect(good.contains(original), "the sample lacks \(original)")
            let text = good.replacingOccurrences(of: original, with: replacement, options: [], range: good.range(of: original))
            #expect {
                try Self.parse(text)
            } throws: { error in
                (error as? InputError)?.source == "submission.json" && (error as? InputError)?.field == field
            }
        }
        #expect(throws: InputError.self) { try Self.parse(good.replacingOccurrences(of: "\"run\":\"smoke\"", with: "\"run\":\"smoke\",\"run\":\"x\"")) }
        #expect(throws: InputError.self) { try Self.parse(String(good.prefix(good.count / 2))) }
    }

    @Test func fileOnDiskRoundTripsAndMissingFileIsAnError() throws {
        let directory = try SuiteRunnerTests.temporaryDirectory("cluster-submission")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let submission = Self.sample()
        try submission.write(to: directory + "/submission.json")
        #expect(try ClusterSubmission.read(directory + "/submission.json") == submission)
        #expect(throws: InputError.self) { try ClusterSubmission.read(directory + "/missing.json") }
    }
}
