import Core
import Testing
@testable import Results

/// Building results contents from trials: sorting, workload table, consistency checks.
@Suite struct ResultsContentsTests {
    @Test func trialsAreSortedAndWorkloadsDerived() throws {
        let wide = ResultsFixtures.workload("regression_wide")
        let trials = [
            ResultsFixtures.reachedTrial(submission: "sgd", workload: wide, trial: 0),
            ResultsFixtures.reachedTrial(submission: "adamw", trial: 2),
            ResultsFixtures.reachedTrial(submission: "adamw", trial: 1),
        ]
        let origin = ResultsFixtures.provenance(host: "elsewhere")
        let contents = try ResultsContents(
            provenance: ResultsFixtures.provenance(), trials: trials, trialProvenance: [trials[0].key: origin])
        #expect(contents.trials.map(\.key) == [trials[2].key, trials[1].key, trials[0].key])
        #expect(contents.workloads == [ResultsFixtures.workload(), wide])
        #expect(contents.provenance(of: trials[0].key) == origin)
        #expect(contents.provenance(of: trials[1].key) == ResultsFixtures.provenance())
    }

    @Test func duplicateKeysAndConflictingWorkloadsAreRejected() throws {
        let trial = ResultsFixtures.reachedTrial()
        let duplicate = #expect(throws: InputError.self) {
            try ResultsContents(provenance: ResultsFixtures.provenance(), trials: [trial, trial])
        }
        #expect(duplicate?.field == "trials[1]")
        #expect(duplicate?.message == "repeats the key external/adamw/regression/study_0/trial_1")

        let other = ResultsFixtures.reachedTrial(workload: ResultsFixtures.workload(target: 9), trial: 2)
        let conflict = #expect(throws: InputError.self) {
            try ResultsContents(provenance: ResultsFixtures.provenance(), trials: [trial, other])
        }
        #expect(conflict?.field == "trials[1].workload")
    }
}
