import Core
import Foundation
import Results
import Testing
@testable import Harness

@Suite struct FigureSetTests {
    typealias F = ScoringFixtures

    /// Two submissions on two workloads (one maximised) and a variant, two studies of two
    /// tuned trials each, with missed trials among them.
    static func trials() -> [TrialRecord] {
        let loss = F.workload("regression", target: 0.5)
        let accuracy = F.workload("cnn", target: 0.8, direction: .maximize)
        let variant = F.workload("regression_hard", variantOf: "regression", target: 0.5)
        var trials: [TrialRecord] = []
        for (s, submission) in ["adamw", "nesterov"].enumerated() {
            for study in 0..<2 {
                for trial in 0..<2 {
                    let speed = Double(1 + s + trial) * Double(1 + study)
                    let lr = 1e-3 * pow(10, Double(trial + study))
                    var lossTrial = F.trial(submission, loss, study: study, trial: trial,
                                            evals: (1...8).map { (Double($0) * speed, 4 / Double($0 * $0)) })
                    var accuracyTrial = F.trial(submission, accuracy, study: study, trial: trial,
                                                evals: (1...8).map { (Double($0) * speed, min(0.99, 0.12 * Double($0) + 0.05 * Double(trial))) })
                    var variantTrial = F.trial(submission, variant, study: study, trial: trial,
                                               evals: (1...8).map { (Double($0), s == 1 ? 3 : 1 / Double($0)) })
                    for index in [0, 1, 2] {
                        var record = [lossTrial, accuracyTrial, variantTrial][index]
                        record.hyperparameters = Hyperparameters(["learning_rate": lr, "beta1": 0.9])
                        record.stateBytes = (s + 1) * 1_048_576 * 4
                        if index == 0 { lossTrial = record } else if index == 1 { accuracyTrial = record } else { variantTrial = record }
                    }
                    trials += [lossTrial, accuracyTrial, variantTrial]
                }
            }
        }
        return trials
    }

    @Test func everyFigureKindIsBuiltWithItsData() {
        let trials = Self.trials()
        let boards = TargetMeasure.allCases.map { Scoreboard(trials: trials, ruleset: "external", measure: $0, bootstrapSamples: 50) }
        let names = FigureSet.figures(trials: trials, scoreboards: boards).map(\.name)
        #expect(names.contains("performance_profile_external_time"))
        #expect(names.contains("performance_profile_external_steps"))
        #expect(names.contains("time_to_target_external"))
        #expect(names.contains("memory_vs_time_external"))
        #expect(names.contains("curves_regression") && names.contains("curves_cnn") && names.contains("curves_regression_hard"))
        #expect(names.contains("tuning_adamw") && names.contains("tuning_nesterov"))
    }

    @Test func bestTrialIsTheFastestToTarget() {
        let trials = Self.trials().filter { $0.key.workload == "regression" && $0.key.submission == "adamw" }
        let best = CurvesFigure.bestTrial(trials)
        #expect(best?.key.study == 0 && best?.key.trial == 0)
    }

    @Test func figuresRenderToNonEmptyImagesWithScriptsAndDataBeside() throws {
        guard Gnuplot.executable != nil else {
            Issue.record("gnuplot is not installed; `make deps` installs it")
            return
        }
        let trials = Self.trials()
        let boards = [Scoreboard(trials: trials, ruleset: "external", measure: .time, bootstrapSamples: 50)]
        let figures = FigureSet.figures(trials: trials, scoreboards: boards)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optbench-plots-\(UUID().uuidString)").path
        defer { if ProcessInfo.processInfo.environment["OPTBENCH_KEEP_PLOTS"] == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let images = try FigureSet.render(figures, into: folder)
        #expect(images.count == figures.count)
        for figure in figures {
            for (suffix, minimum) in [("png", 5_000), ("svg", 2_000), ("gp", 200), ("dat", 50)] {
                let path = "\(folder)/\(figure.name).\(suffix)"
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                #expect(size > minimum, "\(path) is missing or nearly empty (\(size) bytes)")
            }
            let png = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(figure.name).png"))
            #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }
}
