import Tensor

/// A block of labelled images, the batch of both image workloads (`cnn`, `fashion_mnist`):
/// `images` is NCHW `[count, channels, size, size]`, normalised per channel; `labels[i]`
/// is the class of image `i`, in `0..<classes`.
public struct CNNBatch: Sendable, Equatable, ExampleBatch {
    public var images: Tensor
    public var labels: [Int32]

    public init(images: Tensor, labels: [Int32]) {
        precondition(
            images.rank == 4 && images.shape[0] == labels.count,
            "CNNBatch: images of shape \(images.shape) need rank 4 with \(labels.count) images (one per label)")
        self.images = images
        self.labels = labels
    }

    /// Number of images.
    public var count: Int { labels.count }

    /// The contiguous images `range`.
    public func slice(_ range: Range<Int>) -> CNNBatch {
        let imageElements = images.shape.dropFirst().reduce(1, *)
        let scalars = images.withUnsafeBufferPointer { Array($0[(range.lowerBound * imageElements)..<(range.upperBound * imageElements)]) }
        return CNNBatch(
            images: Tensor(shape: [range.count] + Array(images.shape.dropFirst()), scalars: scalars),
            labels: Array(labels[range]))
    }
}
