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

/// Entry point: first make sure OpenBLAS runs its best kernels for this CPU (see
/// `BLASKernelSelection`), re-executing once with `OPENBLAS_CORETYPE` set when needed;
/// then run the command line.
@main
enum Entry {
    static func main() {
        // A child that exits while this process writes to its pipe must be an error from
        // write(2), not a SIGPIPE that kills this process.
        signal(SIGPIPE, SIG_IGN)
        // Past a file-size limit, write(2) must fail with EFBIG (an error naming the file),
        // not raise SIGXFSZ, whose default action kills the process.
        signal(SIGXFSZ, SIG_IGN)
        if let core = BLASKernelSelection.recommendedCoreType() {
            setenv("OPENBLAS_CORETYPE", core, 1)
            let arguments = CommandLine.arguments
            let executable = ThisExecutable.path
            var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
            argv.append(nil)
            execv(executable, argv)
            // execv only returns on failure: carry on with OpenBLAS's own choice.
            FileHandle.standardError.write(Data("optbench: could not re-execute with OPENBLAS_CORETYPE=\(core); continuing\n".utf8))
        }
        OptBench.main()
    }
}
