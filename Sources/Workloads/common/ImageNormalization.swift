/// Per-channel standardisation of byte images, `(v/255 − mean_c) / std_c`, with the
/// means and standard deviations measured on the training set (as for CIFAR-10), for any
/// number of channels (three for RGB, one for grey).
///
/// Conversion goes through a 256-entry table per channel, so turning bytes into
/// normalised floats costs one lookup per element.
struct ImageNormalization: Sendable, Equatable {
    /// Per-channel mean of the [0, 1] intensities.
    let mean: [Double]
    /// Per-channel standard deviation of the [0, 1] intensities.
    let standardDeviation: [Double]
    /// `table[c * 256 + v]` is the normalised value of byte `v` in channel `c`.
    let table: [Float]

    /// Statistics of `data`'s pixels (sums in exact integers, so the result is exact and
    /// independent of the order of the images).
    init(measuring data: ImageDataSet) {
        let plane = data.size * data.size
        let channels = data.channels
        var sums = [UInt64](repeating: 0, count: channels), squares = [UInt64](repeating: 0, count: channels)
        data.pixels.withUnsafeBufferPointer { p in
            for image in 0..<data.count {
                for channel in 0..<channels {
                    let start = (image * channels + channel) * plane
                    var sum: UInt64 = 0, square: UInt64 = 0
                    for i in start..<(start + plane) {
                        let v = UInt64(p[i])
                        sum += v
                        square += v * v
                    }
                    sums[channel] += sum
                    squares[channel] += square
                }
            }
        }
        let n = Double(data.count * plane)
        mean = (0..<channels).map { Double(sums[$0]) / n / 255 }
        standardDeviation = (0..<channels).map { c in
            let meanByte = Double(sums[c]) / n
            let variance = max(Double(squares[c]) / n - meanByte * meanByte, 0)
            return max(variance.squareRoot() / 255, 1e-6)
        }
        var table = [Float](repeating: 0, count: channels * 256)
        for c in 0..<channels {
            for v in 0..<256 { table[c * 256 + v] = Float((Double(v) / 255 - mean[c]) / standardDeviation[c]) }
        }
        self.table = table
    }
}
