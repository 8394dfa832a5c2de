import Tensor
import Testing

/// Golden values of the standard SplitMix64 (Steele, Lea & Flood 2014; Vigna's
/// `splitmix64.c`), reproduced independently by a Python reference before being written here.
@Suite struct SplitMix64Tests {
    @Test func streamFromZeroMatchesTheReferenceAlgorithm() {
        var mixer = SplitMix64(seed: 0)
        #expect(mixer.next() == 0xe220_a839_7b1d_cdaf)
        #expect(mixer.next() == 0x6e78_9e6a_a1b9_65f4)
        #expect(mixer.next() == 0x06c4_5d18_8009_454f)
    }

    @Test func streamFromFortyTwo() {
        var mixer = SplitMix64(seed: 42)
        #expect(mixer.next() == 0xbdd7_3226_2feb_6e95)
        #expect(mixer.next() == 0x28ef_e333_b266_f103)
        #expect(mixer.next() == 0x4752_6757_130f_9f52)
    }

    @Test func finaliserValues() {
        #expect(SplitMix64.mix(0) == 0)
        #expect(SplitMix64.mix(1) == 0x5692_161d_100b_05e5)
        // next() is mix(state + golden gamma).
        var mixer = SplitMix64(seed: 0)
        #expect(mixer.next() == SplitMix64.mix(0x9E37_79B9_7F4A_7C15))
    }

    @Test func sameSeedSameStream() {
        var a = SplitMix64(seed: 123), b = SplitMix64(seed: 123), c = SplitMix64(seed: 124)
        let sa = (0..<5).map { _ in a.next() }
        let sb = (0..<5).map { _ in b.next() }
        let sc = (0..<5).map { _ in c.next() }
        #expect(sa == sb)
        #expect(sa != sc)
    }
}
