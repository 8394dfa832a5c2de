import ArgumentParser
import Foundation
import Tensor

/// The `optbench` command line: run, score and plot the suite; benchmarks of the
/// numerical core; optimizer conformance against optax.
struct OptBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optbench",
        abstract: "A reproducible, AlgoPerf-style benchmark suite for training algorithms, on the CPU.",
        subcommands: [
            ListCommand.self, RunCommand.self, TrialCommand.self, MergeCommand.self, ShowCommand.self, ScoreCommand.self, CompareCommand.self,
            CalibrateCommand.self, VerifyTSPCommand.self, VerifyJobShopCommand.self,
            PlotCommand.self, Perf.self, Conformance.self, FuzzCommand.self, ReadResultsCommand.self,
            SlurmTaskCommand.self, SlurmFinishCommand.self, StatusCommand.self,
            ImportCommand.self, ExportCommand.self,
        ])
}

/// Entry point: first make sure the libraries run as measured best on this machine
/// (OpenBLAS's kernel family, see `BLASKernelSelection`; OpenMP's wait policy, see
/// `OneDNN.recommendedWaitPolicy`), re-executing once with their environment variables set
/// when needed, since both are read when the libraries load; then keep freed buffers for
/// reuse (`AllocatorTuning`) and run the command line.
@main
enum Entry {
    static func main() {
        // A child that exits while this process writes to its pipe must be an error from
        // write(2), not a SIGPIPE that kills this process.
        signal(SIGPIPE, SIG_IGN)
        // Past a file-size limit, write(2) must fail with EFBIG (an error naming the file),
        // not raise SIGXFSZ, whose default action kills the process.
        signal(SIGXFSZ, SIG_IGN)
        var settings: [(name: String, value: String)] = []
        if let core = BLASKernelSelection.recommendedCoreType() { settings.append(("OPENBLAS_CORETYPE", core)) }
        if let policy = OneDNN.recommendedWaitPolicy() { settings.append(("OMP_WAIT_POLICY", policy)) }
        if !settings.isEmpty {
            for setting in settings { setenv(setting.name, setting.value, 1) }
            let arguments = CommandLine.arguments
            var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
            argv.append(nil)
            execv(ThisExecutable.path, argv)
            // execv only returns on failure: carry on with the libraries' own choices.
            let names = settings.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
            FileHandle.standardError.write(Data("optbench: could not re-execute with \(names); continuing\n".utf8))
        }
        AllocatorTuning.keepFreedBuffersForReuse()
        OptBench.main()
    }
}
