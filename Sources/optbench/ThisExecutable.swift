import Foundation
import Results

/// The running `optbench` binary, for starting child processes of itself: trial
/// processes and isolated results readers.
enum ThisExecutable {
    /// This executable's path (from /proc/self/exe, else argv[0]).
    static var path: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// A reader of results files from strangers that runs libhdf5 in a child of this binary.
    static var resultsReader: IsolatedResultsReader { IsolatedResultsReader.configured(executable: path) }
}
