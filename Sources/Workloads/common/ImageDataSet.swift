import Tensor

/// A fixed set of byte images (procedural RGB ones for `cnn`, grey Fashion-MNIST ones for
/// `fashion_mnist`) with their labels, and the gathering of (optionally augmented)
/// normalised batches from it.
///
/// Procedural sets: labels are balanced by construction (image `i` belongs to class
/// `i mod classes`), and each image is drawn by its own generator, seeded from the set's
/// seed and the image's index, so the set is the same bit for bit however it is generated.
struct ImageDataSet: Sendable, Equatable {
    let count: Int
    /// Channels per image (3 for RGB, 1 for grey).
    let channels: Int
    /// Image side.
    let size: Int
    /// `count × channels × size × size` bytes, NCHW.
    let pixels: [UInt8]
    let labels: [Int32]

    /// Bytes per image.
    var imageElements: Int { channels * size * size }

    /// Given bytes and labels (read from a file, or made by tests).
    init(channels: Int = 3, size: Int, pixels: [UInt8], labels: [Int32]) {
        precondition(
            channels >= 1 && !labels.isEmpty && pixels.count == labels.count * channels * size * size,
            "ImageDataSet: \(labels.count) images of \(channels)×\(size)×\(size) need \(labels.count * channels * size * size) bytes, got \(pixels.count)")
        count = labels.count
        self.channels = channels
        self.size = size
        self.pixels = pixels
        self.labels = labels
    }

    /// Renders `count` images of the classes `prototypes` (image `i` of class `i mod k`).
    init(count: Int, prototypes: [ImageClassPrototype], renderer: ImageRenderer, seed: UInt64) {
        precondition(count >= 1, "ImageDataSet: needs at least one image, got \(count)")
        precondition(!prototypes.isEmpty, "ImageDataSet: needs at least one class")
        self.count = count
        channels = 3
        size = renderer.size
        let elements = renderer.imageElements
        labels = (0..<count).map { Int32($0 % prototypes.count) }
        var pixels = [UInt8](repeating: 0, count: count * elements)
        var canvas = [Float](repeating: 0, count: elements)
        pixels.withUnsafeMutableBufferPointer { out in
            canvas.withUnsafeMutableBufferPointer { scratch in
                for i in 0..<count {
                    var generator = RandomGenerator(seed: Self.imageSeed(seed, i))
                    renderer.render(
                        prototypes[i % prototypes.count], using: &generator,
                        canvas: scratch.baseAddress!, into: out.baseAddress! + i * elements)
                }
            }
        }
        self.pixels = pixels
    }

    /// The seed of image `index`: a Weyl step away from its neighbours (the generator's
    /// SplitMix64 seeding decorrelates consecutive seeds).
    static func imageSeed(_ seed: UInt64, _ index: Int) -> UInt64 {
        seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
    }

    /// The images at `indices`, normalised, unaugmented.
    func batch(_ indices: [Int], normalization: ImageNormalization) -> CNNBatch {
        gather(indices, normalization: normalization) { _ in (0, 0, false) }
    }

    /// The images `range`, normalised, unaugmented.
    func batch(_ range: Range<Int>, normalization: ImageNormalization) -> CNNBatch {
        batch(Array(range), normalization: normalization)
    }

    /// The images at `indices`, normalised, each randomly cropped (padded by `padding`
    /// black pixels on every side, then cut back to `size × size` at a uniform offset)
    /// and, when `flip`, mirrored left–right with probability ½, as torchvision's
    /// `RandomCrop(size, padding)` followed by `RandomHorizontalFlip()`.
    func augmentedBatch(
        _ indices: [Int], normalization: ImageNormalization, padding: Int, flip: Bool,
        using generator: inout RandomGenerator
    ) -> CNNBatch {
        precondition(padding >= 0 && padding < size, "ImageDataSet.augmentedBatch: padding must be in 0..<\(size), got \(padding)")
        return gather(indices, normalization: normalization) { _ in
            let dy = padding > 0 ? generator.nextInt(below: 2 * padding + 1) - padding : 0
            let dx = padding > 0 ? generator.nextInt(below: 2 * padding + 1) - padding : 0
            let mirrored = flip && generator.nextUInt32() & 1 == 1
            return (dy, dx, mirrored)
        }
    }

    /// Writes image `indices[k]` shifted by `(dy, dx)` (source pixel `(y + dy, x + dx)`,
    /// black outside) and optionally mirrored, as drawn by `transform(k)`.
    private func gather(
        _ indices: [Int], normalization: ImageNormalization, transform: (Int) -> (dy: Int, dx: Int, mirrored: Bool)
    ) -> CNNBatch {
        let n = indices.count, elements = imageElements, plane = size * size
        var images = Tensor(shape: [n, channels, size, size])
        var batchLabels = [Int32](repeating: 0, count: n)
        images.withUnsafeMutableBufferPointer { out in
            pixels.withUnsafeBufferPointer { src in
                normalization.table.withUnsafeBufferPointer { table in
                    for (k, index) in indices.enumerated() {
                        precondition(index >= 0 && index < count, "ImageDataSet: image index \(index) outside 0..<\(count)")
                        batchLabels[k] = labels[index]
                        let (dy, dx, mirrored) = transform(k)
                        for channel in 0..<channels {
                            let lut = table.baseAddress! + channel * 256
                            let source = src.baseAddress! + index * elements + channel * plane
                            let target = out.baseAddress! + k * elements + channel * plane
                            copyPlane(source, into: target, lut: lut, dy: dy, dx: dx, mirrored: mirrored)
                        }
                    }
                }
            }
        }
        return CNNBatch(images: images, labels: batchLabels)
    }

    /// One channel plane: `target[y, x] = lut[source[y + dy, x' + dx]]`, with
    /// `x' = size − 1 − x` when mirrored, and `lut[0]` (black) outside the source.
    @inline(__always)
    private func copyPlane(
        _ source: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<Float>, lut: UnsafePointer<Float>,
        dy: Int, dx: Int, mirrored: Bool
    ) {
        let black = lut[0]
        for y in 0..<size {
            let row = target + y * size
            let sy = y + dy
            guard sy >= 0 && sy < size else {
                row.update(repeating: black, count: size)
                continue
            }
            let sourceRow = source + sy * size
            if !mirrored && dx == 0 {
                for x in 0..<size { row[x] = lut[Int(sourceRow[x])] }
                continue
            }
            for x in 0..<size {
                let sx = (mirrored ? size - 1 - x : x) + dx
                row[x] = sx >= 0 && sx < size ? lut[Int(sourceRow[sx])] : black
            }
        }
    }
}
