import CBLAS
import Foundation

/// Choice of OpenBLAS's kernel family (its "core type").
///
/// Debian's OpenBLAS picks kernels at load time from the CPU model. On virtual machines
/// that report a generic model ("Intel Xeon Processor") it falls back to `Prescott`
/// (SSE3) even when the CPU has AVX-512, which measured 31 GFLOP/s instead of 189 for a
/// 1024³ sgemm on the 2-core development machine; and OpenBLAS 0.3.21 gives AMD's Zen 4,
/// which has AVX-512, its AVX2 `Haswell` kernels (127 GFLOP/s where `SkylakeX` measured
/// 245 on a 2-core AMD EPYC VM). The kernel family can only be set
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

    /// How much of the vector hardware each known kernel family uses: 0 for the SSE
    /// families OpenBLAS falls back to on unrecognised CPUs, 1 for AVX2 and FMA, 2 for
    /// AVX-512 (the later ones add BF16 and AMX to `SkylakeX`'s). A family not listed is
    /// left to OpenBLAS.
    static let tiers: [String: Int] = [
        "Prescott": 0, "Core2": 0, "Penryn": 0, "Dunnington": 0, "Nehalem": 0, "Sandybridge": 0,
        "Atom": 0, "Katmai": 0, "Northwood": 0, "Banias": 0,
        "Haswell": 1, "Zen": 1,
        "SkylakeX": 2, "Cooperlake": 2, "SapphireRapids": 2,
    ]

    /// The `OPENBLAS_CORETYPE` to re-execute with: `best` when OpenBLAS's own choice
    /// (`active`) uses less of the vector hardware than `best` does; nil when the user
    /// chose a family already, when no better family is known, or when `active` is a
    /// family this type does not know.
    static func recommendedCoreType(active: String, best: String?, environment: [String: String]) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil, let best,
              let activeTier = tiers[active], let bestTier = tiers[best], activeTier < bestTier
        else { return nil }
        return best
    }

    /// The `OPENBLAS_CORETYPE` this process should re-execute with (see
    /// `recommendedCoreType(active:best:environment:)`), from the loaded library and
    /// `/proc/cpuinfo`.
    public static func recommendedCoreType(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        recommendedCoreType(active: activeCore, best: bestCore(for: cpuFlags()), environment: environment)
    }
}
