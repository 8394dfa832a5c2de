// swift-tools-version:6.0
import PackageDescription

// `swift build -c release` compiles every module whole-module optimised (SwiftPM's
// release default). `-Ounchecked` is deliberately not
// used, so shape and bounds preconditions stay active in benchmarks too.

let package = Package(
    name: "OptBench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "optbench", targets: ["optbench"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "NN", targets: ["NN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]),
        .target(name: "Tensor", dependencies: ["CBLAS"]),
        .target(name: "NN", dependencies: ["Tensor"]),
        .target(name: "Core", dependencies: ["NN", "Tensor"]),
        .target(name: "Workloads", dependencies: ["Core", "NN", "Tensor"]),
        .target(name: "Submissions", dependencies: ["Core", "NN", "Tensor"]),
        .target(name: "Results", dependencies: ["Core", "CHDF5"]),
        .target(name: "Harness", dependencies: ["Core", "Results", "Workloads", "Submissions", "NN", "Tensor"]),
        .executableTarget(
            name: "optbench",
            dependencies: [
                "Tensor", "NN", "Core", "Workloads", "Submissions", "Results", "Harness",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor"]),
        .testTarget(name: "CoreTests", dependencies: ["Core", "NN", "Tensor"]),
        .testTarget(name: "WorkloadsTests", dependencies: ["Workloads", "Core", "NN", "Tensor"]),
        .testTarget(name: "SubmissionsTests", dependencies: ["Submissions", "Core", "NN", "Tensor", "Workloads", "Harness", "Results"]),
        .testTarget(name: "ResultsTests", dependencies: ["Results", "Core"]),
        .testTarget(name: "HarnessTests", dependencies: ["Harness", "Results", "Workloads", "Submissions", "Core", "NN", "Tensor"]),
    ]
)
