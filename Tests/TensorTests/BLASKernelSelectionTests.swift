import Foundation
import Testing
@testable import Tensor

@Suite struct BLASKernelSelectionTests {
    @Test func bestCoreFollowsTheFeatureFlags() {
        let avx512: Set<String> = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
        #expect(BLASKernelSelection.bestCore(for: avx512) == "SkylakeX")
        #expect(BLASKernelSelection.bestCore(for: avx512.subtracting(["avx512bw"])) == "Haswell")
        #expect(BLASKernelSelection.bestCore(for: ["avx", "avx2", "fma"]) == "Haswell")
        #expect(BLASKernelSelection.bestCore(for: ["avx", "avx2"]) == nil)
        #expect(BLASKernelSelection.bestCore(for: []) == nil)
    }

    @Test func flagsAreReadFromTheFirstProcessor() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cpuinfo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu sse2 avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(BLASKernelSelection.cpuFlags(cpuinfo: path) == ["fpu", "sse2", "avx2", "fma"])
        #expect(BLASKernelSelection.cpuFlags(cpuinfo: path + ".missing").isEmpty)
    }

    @Test func aFamilyUsingLessOfTheCPUIsReplaced() {
        let none: [String: String] = [:]
        // Unrecognised virtual CPUs fall back to SSE kernels.
        #expect(BLASKernelSelection.recommendedCoreType(active: "Prescott", best: "SkylakeX", environment: none) == "SkylakeX")
        #expect(BLASKernelSelection.recommendedCoreType(active: "Prescott", best: "Haswell", environment: none) == "Haswell")
        // OpenBLAS 0.3.21 gives AVX-512 AMD Zen 4 its AVX2 kernels.
        #expect(BLASKernelSelection.recommendedCoreType(active: "Haswell", best: "SkylakeX", environment: none) == "SkylakeX")
        #expect(BLASKernelSelection.recommendedCoreType(active: "Zen", best: "SkylakeX", environment: none) == "SkylakeX")
        // Never a downgrade, never a sideways move, nothing for unknown families.
        #expect(BLASKernelSelection.recommendedCoreType(active: "Haswell", best: "Haswell", environment: none) == nil)
        #expect(BLASKernelSelection.recommendedCoreType(active: "Zen", best: "Haswell", environment: none) == nil)
        #expect(BLASKernelSelection.recommendedCoreType(active: "SapphireRapids", best: "SkylakeX", environment: none) == nil)
        #expect(BLASKernelSelection.recommendedCoreType(active: "SkylakeX", best: "SkylakeX", environment: none) == nil)
        #expect(BLASKernelSelection.recommendedCoreType(active: "NeoverseN1", best: "SkylakeX", environment: none) == nil)
        #expect(BLASKernelSelection.recommendedCoreType(active: "Prescott", best: nil, environment: none) == nil)
        #expect(BLASKernelSelection.recommendedCoreType(active: "Prescott", best: "SkylakeX", environment: ["OPENBLAS_CORETYPE": "Prescott"]) == nil)
    }

    @Test func aUserChoiceIsNeverOverridden() {
        #expect(BLASKernelSelection.recommendedCoreType(environment: ["OPENBLAS_CORETYPE": "Haswell"]) == nil)
        #expect(!BLASKernelSelection.activeCore.isEmpty)
    }
}
