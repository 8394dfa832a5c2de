import ArgumentParser

/// The `optbench` command line: benchmarks of the numerical core and, as the project
/// grows, running, scoring and plotting the suite.
@main
struct OptBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optbench",
        abstract: "A reproducible, AlgoPerf-style benchmark suite for training algorithms, on the CPU.",
        subcommands: [ListCommand.self, Perf.self, Conformance.self])
}
