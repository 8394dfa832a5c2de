// swift-tools-version:6.0
import Foundation
import PackageDescription

// `swift build -c release` compiles every module whole-module optimised (SwiftPM's
// release default). `-Ounchecked` is deliberately not
// used, so shape and bounds preconditions stay active in benchmarks too.

/// Release builds of the compute modules (Tensor, NN, Workloads, Submissions) compile for
/// the building machine's vector unit where it has Haswell's features (x86-64 with AVX2
/// and FMA: `-target-cpu haswell`), so the SIMD loops written in Swift (the rectifier,
/// GEGLU's `LaneMath`, the fused optimizer updates) use 256-bit registers instead of
/// SSE2's 128. Convolutions, GELU, layer normalisation and softmax are oneDNN's, which
/// picks its kernels at run time whatever the build. The binary then needs such a CPU,
/// like a `-march=native` build; `OPTBENCH_PORTABLE=1` builds for any x86-64.
/// The setting changes no results: Swift contracts no multiply-add into a fused one, and
/// explicit fused multiply-adds round once either way.
func hostVectorSettings() -> [SwiftSetting] {
    if ProcessInfo.processInfo.environment["OPTBENCH_PORTABLE"] == "1" { return [] }
    let release = BuildSettingCondition.when(configuration: .release)
    #if arch(x86_64)
    guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return [] }
    // Every feature `haswell` lets the compiler use anywhere in the module, not just the
    // vector ones: a VM may hide some of them (one hid RDRAND, which is only ever emitted
    // for its intrinsic).
    let present = Set(flags.split(separator: " ").map(String.init))
    let haswell: Set = ["avx", "avx2", "fma", "f16c", "bmi1", "bmi2", "abm", "movbe", "popcnt", "sse4_2"]
    guard haswell.isSubset(of: present) else { return [] }
    return [.unsafeFlags(["-target-cpu", "haswell"], release)]
    #else
    return []
    #endif
}

/// Links so that the OpenMP build of Debian's OpenBLAS (`libopenblas0-openmp`, which `make
/// deps` installs) loads ahead of the system's default pthread build: a run path to its
/// folder. OpenBLAS's products then run on the same OpenMP threads as oneDNN's primitives,
/// instead of two pools of two threads each contending for two cores (see
/// `OneDNN.recommendedWaitPolicy`). Without that folder the loader falls back to the
/// default build; the same products give the same bits either way.
func openMPBLASLinkerSettings() -> [LinkerSetting] {
    #if os(Linux) && arch(x86_64)
    let triple: String? = "x86_64-linux-gnu"
    #elseif os(Linux) && arch(arm64)
    let triple: String? = "aarch64-linux-gnu"
    #else
    let triple: String? = nil
    #endif
    guard let triple else { return [] }
    return [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", "/usr/lib/\(triple)/openblas-openmp"])]
}

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
        .systemLibrary(
            name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSystem", path: "Sources/CSystem"),
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .target(
            name: "Tensor", dependencies: ["CBLAS", "CDNNL"], swiftSettings: hostVectorSettings(),
            linkerSettings: openMPBLASLinkerSettings()),
        .target(name: "NN", dependencies: ["Tensor"], swiftSettings: hostVectorSettings()),
        .target(name: "Core", dependencies: ["NN", "Tensor"]),
        .target(name: "Workloads", dependencies: ["Core", "NN", "Tensor", "CZlib"], swiftSettings: hostVectorSettings()),
        .target(name: "Submissions", dependencies: ["Core", "NN", "Tensor"], swiftSettings: hostVectorSettings()),
        .target(name: "Results", dependencies: ["Core", "Tensor", "CHDF5"]),
        .target(name: "Harness", dependencies: ["Core", "Results", "Workloads", "Submissions", "NN", "Tensor"]),
        .target(name: "Benchmarks", dependencies: ["Harness", "Core", "Workloads", "Submissions", "NN", "Tensor"]),
        .executableTarget(
            name: "optbench",
            dependencies: [
                "Tensor", "NN", "Core", "Workloads", "Submissions", "Results", "Harness", "Benchmarks", "CSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor"]),
        .testTarget(name: "CoreTests", dependencies: ["Core", "NN", "Tensor"]),
        .testTarget(name: "WorkloadsTests", dependencies: ["Workloads", "Core", "NN", "Tensor", "CZlib"]),
        .testTarget(name: "SubmissionsTests", dependencies: ["Submissions", "Core", "NN", "Tensor", "Workloads", "Harness", "Results"]),
        .testTarget(name: "ResultsTests", dependencies: ["Results", "Core", "CHDF5"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Harness", "Submissions", "Core", "NN", "Tensor"]),
        .testTarget(name: "HarnessTests", dependencies: ["Harness", "Results", "Workloads", "Submissions", "Core", "NN", "Tensor", "CHDF5"]),
    ]
)
