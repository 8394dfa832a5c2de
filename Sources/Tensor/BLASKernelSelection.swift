import CBLAS
import Foundation

/// Choice of OpenBLAS's kernel family (its "core type").
///
/// Debian's OpenBLAS picks kernels at load time from the CPU model. On virtual machines
/// that report a generic model ("Intel Xeon Processor") it falls back to `Prescott`
/// (SSE3) even when the CPU has AVX-512, which measured 31 GFLOP/s instead of 189 for a
/// 1024³ sgemm on the 2-core development machine. The kernel family can only be set
/// before the library loads, through the `OPENBLAS_CORETYPE` environment variable, so the
/// `optbench` executable re-executes itself once with it set (see `optbench`'s entry
/// point). Results record the active core, since different kernels round differently.
public enum BLASKernelSelection {
    /// The kernel family OpenBLAS is using in this process.
    public static var activeCore: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The CPU feature flags of the first processor in `/proc/cpuinfo` (empty elsewhere).
    public static func cpuFlags(cpuinfo path: String = "/proc/cpuinfo") -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":")
        else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// The fastest OpenBLAS x86-64 kernel family the flags support: `SkylakeX` (AVX-512
    /// F/BW/VL/DQ/CD), `Haswell` (AVX2 + FMA), or nil when nothing better than OpenBLAS's
    /// own choice can be said.
    public static func bestCore(for flags: Set<String>) -> String? {
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// Kernel families slower than `Haswell` that OpenBLAS falls back to on unrecognised CPUs.
    static let fallbackCores: Set<String> = ["Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Sandybridge", "Atom", "Katmai", "Northwood", "Banias"]

    /// The `OPENBLAS_CORETYPE` to re-execute with, or nil when the user chose one already,
    /// or OpenBLAS's own choice is not a fallback, or no better family is known.
    public static func recommendedCoreType(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil, fallbackCores.contains(activeCore) else { return nil }
        return bestCore(for: cpuFlags())
    }
}
