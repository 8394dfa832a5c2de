/// Block-wise dynamic 8-bit quantisation (Dettmers et al., "8-bit Optimizers via
/// Block-wise Quantization", ICLR 2022), used by `AdamW8bit`.
///
/// A block of values x is stored as its absolute maximum `s = max|x|` (one Float) and one
/// byte per value: the index of the code nearest to `x/s` in a sorted 256-entry map. The
/// dynamic map (bitsandbytes' `create_dynamic_map`, 7 exponent bits) spends one bit on the
/// sign (signed map) and, for each decade 10⁻⁶ … 10⁰, `2^i` (signed) or `2^(i+1)`
/// (unsigned) evenly spaced fractions: the midpoints of `linspace(0.1, 1, n+1)` times
/// the decade; plus 0 and 1. Relative precision is therefore roughly constant over six
/// orders of magnitude, which suits Adam's moments.
public struct DynamicQuantizationMap: Sendable, Equatable {
    /// The 256 codes, ascending.
    public let codes: [Float]
    /// The 255 midpoints between consecutive codes: a value rounds to code `k` where `k`
    /// is the number of midpoints below it.
    let midpoints: [Float]

    /// The signed map (first moments).
    public static let signed = DynamicQuantizationMap(signed: true)
    /// The unsigned map (second moments).
    public static let unsigned = DynamicQuantizationMap(signed: false)

    init(signed: Bool) {
        let exponentBits = 7, nonSignBits = 7
        var data: [Double] = []
        for i in 0..<exponentBits {
            let items = signed ? (1 << (i + nonSignBits - exponentBits)) + 1 : (1 << (i + nonSignBits - exponentBits + 1)) + 1
            let decade = pow10(-(exponentBits - 1) + i)
            for k in 0..<(items - 1) {
                let low = 0.1 + 0.9 * Double(k) / Double(items - 1)
                let high = 0.1 + 0.9 * Double(k + 1) / Double(items - 1)
                let mean = (low + high) / 2
                data.append(decade * mean)
                if signed { data.append(-decade * mean) }
            }
        }
        data.append(0)
        data.append(1)
        precondition(data.count == 256, "DynamicQuantizationMap: built \(data.count) codes, expected 256")
        let sorted = data.map { Float($0) }.sorted()
        codes = sorted
        midpoints = (0..<255).map { (sorted[$0] + sorted[$0 + 1]) / 2 }
    }

    /// Index of the code nearest to `x` (already divided by the block's absolute maximum);
    /// a value exactly between two codes takes the lower one.
    @inline(__always)
    public func index(of x: Float) -> UInt8 {
        var low = 0, high = 255
        // Invariant: the answer is in low...high (number of midpoints < x).
        while low < high {
            let middle = (low + high) >> 1
            if midpoints[middle] < x { low = middle + 1 } else { high = middle }
        }
        return UInt8(low)
    }

    /// Quantises `values` block by block into `bytes` and `scales` (one per block of
    /// `blockSize`, the last possibly shorter).
    public func quantize(
        _ values: UnsafeBufferPointer<Float>, blockSize: Int, bytes: UnsafeMutableBufferPointer<UInt8>,
        scales: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(bytes.count == values.count, "DynamicQuantizationMap.quantize: \(values.count) values, \(bytes.count) bytes")
        precondition(scales.count == (values.count + blockSize - 1) / blockSize,
                     "DynamicQuantizationMap.quantize: \(scales.count) scales for \(values.count) values in blocks of \(blockSize)")
        for block in 0..<scales.count {
            let range = (block * blockSize)..<min(values.count, (block + 1) * blockSize)
            var absMax: Float = 0
            for i in range { absMax = max(absMax, abs(values[i])) }
            scales[block] = absMax
            let inverse = absMax > 0 ? 1 / absMax : 0
            for i in range { bytes[i] = index(of: values[i] * inverse) }
        }
    }

    /// The value stored as code `byte` in a block of absolute maximum `scale`.
    @inline(__always)
    public func value(_ byte: UInt8, scale: Float) -> Float { codes[Int(byte)] * scale }
}

private func pow10(_ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<abs(exponent) { result *= 10 }
    return exponent >= 0 ? result : 1 / result
}
