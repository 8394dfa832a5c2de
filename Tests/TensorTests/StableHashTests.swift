import Tensor
import Testing

/// Golden values computed by an independent Python implementation of the same scheme:
/// 64-bit FNV-1a (offset 0xcbf29ce484222325, prime 0x100000001b3) over the UTF-8 bytes of
/// each string followed by 0xFF, and over the eight little-endian bytes of each integer,
/// finished with the SplitMix64 mixer. A change to any of these steps changes the seeds of
/// every stored result, so these numbers must never change.
@Suite struct StableHashTests {
    @Test func goldenValues() {
        #expect(StableHash().finalize() == 0xf52a_15e9_a9b5_e89b)
        #expect(StableHash.seed("regression") == 0x4606_fc2b_c39d_c9b6)
        #expect(StableHash.seed(0) == 0x813f_0174_a236_7c13)
        #expect(StableHash.seed(-1) == 0x9795_737c_4a2d_acd5)
        #expect(StableHash.seed("suite", 0, "regression", "adamw", 2, 4) == 0x1bcf_9ab0_9fac_3469)
        #expect(StableHash.seed("héllo") == 0x0623_5efd_3e3f_3a92)
        #expect(StableHash.derive(42, "parameters") == 0x8366_1387_dd1c_5273)
    }

    @Test func incrementalCombiningEqualsTheVariadicForm() {
        var hash = StableHash()
        hash.combine("suite")
        hash.combine(0)
        hash.combine("regression")
        #expect(hash.finalize() == StableHash.seed("suite", 0, "regression"))
        var unsigned = StableHash()
        unsigned.combine(UInt64(42))
        var signed = StableHash()
        signed.combine(42)
        #expect(unsigned.finalize() == signed.finalize())
        // Negative integers hash as their two's-complement pattern.
        var minusOne = StableHash()
        minusOne.combine(UInt64.max)
        #expect(minusOne.finalize() == StableHash.seed(-1))
    }

    @Test func orderAndBoundariesMatter() {
        #expect(StableHash.seed("ab", "c") == 0x9399_8dd6_edc9_a3b3)
        #expect(StableHash.seed("a", "bc") == 0x0372_a433_aa0f_e51e)
        #expect(StableHash.seed("a", 1) == 0xebba_170d_0e07_84ff)
        #expect(StableHash.seed(1, "a") == 0x3d32_4d04_53f6_b7df)
        #expect(StableHash.seed("x", "y") != StableHash.seed("y", "x"))
        #expect(StableHash.seed(1, 2) != StableHash.seed(2, 1))
    }

    @Test func stringAndIntegerPartsDiffer() {
        #expect(StableHash.seed("1") == 0xad84_58a0_c734_6a71)
        #expect(StableHash.seed(1) == 0x5ca6_bbcb_b1e8_5355)
        #expect(StableHash.seed("0") != StableHash.seed(0))
    }

    @Test func derivedSeedsDependOnLabelAndParent() {
        #expect(StableHash.derive(42, "parameters") != StableHash.derive(42, "data"))
        #expect(StableHash.derive(42, "data") != StableHash.derive(43, "data"))
        #expect(StableHash.derive(42, "data") == StableHash.derive(42, "data"))
    }
}
