import Testing
@testable import Harness

@Suite struct SupersededTrialsTests {
    let trials = "results/calibration/trials"

    @Test func onlyFilesOfTheCalibratedWorkloadsThatItDidNotPlanGo() {
        let files = [
            "\(trials)/calibration_reruns/heavy_ball/regression_cond1e4/study_0/trial_0.h5",  // earlier winner: goes
            "\(trials)/calibration_reruns/nesterov/regression_cond1e4/study_0/trial_0.h5",  // this calibration's
            "\(trials)/calibration_tuning/adamw/regression_cond1e4/study_0/trial_0.h5",  // this calibration's
            "\(trials)/calibration_tuning/adamw/regression_cond1e4/study_0/trial_7.h5",  // a larger earlier search: goes
            "\(trials)/calibration_reruns/heavy_ball/regression/study_0/trial_0.h5",  // another workload: stays
            "\(trials)/calibration_reruns/adamw/regression_cond1e4x/study_0/trial_0.h5",  // a name that only starts alike
            "elsewhere/calibration_reruns/adamw/regression_cond1e4/study_0/trial_0.h5",  // outside the folder
        ]
        let current: Set = [files[1], files[2]]
        let gone = SupersededTrials.among(files, trialsDirectory: trials, workloads: ["regression_cond1e4"], current: current)
        #expect(gone == [files[0], files[3]])
    }

    @Test func aTrailingSlashOnTheFolderChangesNothing() {
        let file = "\(trials)/calibration_reruns/heavy_ball/maxcut_signed/study_2/trial_0.h5"
        #expect(SupersededTrials.among([file], trialsDirectory: trials + "/", workloads: ["maxcut_signed"], current: []) == [file])
        #expect(SupersededTrials.among([file], trialsDirectory: trials, workloads: ["maxcut"], current: []).isEmpty)
    }
}
