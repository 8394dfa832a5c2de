import CDNNL

/// How a batch of images or feature maps lies in memory, and so what shape its tensor has.
///
/// The images themselves are always "`batch` images of `channels` planes of
/// `height × width`" (their NCHW shape); a layout says which index runs fastest:
///
/// - `planar`: NCHW, the tensor's shape is `[batch, channels, height, width]` (PyTorch's
///   default and the layout of the data sets).
/// - `channelBlocked(b)`: oneDNN's `nChw{b}c`, the channels in groups of `b` with the
///   group innermost; the tensor's shape is `[batch, channels / b, height, width, b]`,
///   row-major, so the shape states the memory order. `b` is 8 or 16 and divides the
///   channels.
///
/// oneDNN's convolutions on AVX-512 (AVX2) read and write 16 (8) channel blocks; a network
/// that keeps its feature maps blocked between convolutions (`ImageLayout.oneDNNBlocked`)
/// skips the two reorders per convolution and per gradient that planar tensors cost
/// (`OneDNNConvolution`). Elementwise layers (activations, residual additions) do not care;
/// layers that mix positions or channels say which layouts they take.
public enum ImageLayout: Hashable, Sendable, CustomStringConvertible {
    case planar
    case channelBlocked(Int)

    /// The channel-blocked layout of oneDNN's convolutions on this CPU: 16 channels with
    /// AVX-512, 8 otherwise (AVX2).
    public static var oneDNNBlocked: ImageLayout {
        .channelBlocked(OneDNN.isa.hasPrefix("avx512") ? 16 : 8)
    }

    /// The channel block sizes oneDNN has a plain format tag for.
    public static let supportedBlocks = [8, 16]

    public var description: String {
        switch self {
        case .planar: "planar (NCHW)"
        case .channelBlocked: "channel-blocked (\(formatName))"
        }
    }

    /// oneDNN's name of the layout: `nchw` or `nChw16c` (for tables).
    public var formatName: String {
        switch self {
        case .planar: "nchw"
        case .channelBlocked(let b): "nChw\(b)c"
        }
    }

    /// Channels that lie next to each other in memory at one position: the block, or 1
    /// for planar tensors.
    public var channelBlock: Int {
        switch self {
        case .planar: 1
        case .channelBlocked(let b): b
        }
    }

    /// The rank of this layout's tensors: 4 planar, 5 blocked.
    public var rank: Int { self == .planar ? 4 : 5 }

    /// The tensor's axes, for messages: `(batch, channels, height, width)` or
    /// `(batch, channels / b, height, width, b)`.
    public var axes: String {
        switch self {
        case .planar: "(batch, channels, height, width)"
        case .channelBlocked(let b): "(batch, channels / \(b), height, width, \(b))"
        }
    }

    /// Whether feature maps of `channels` channels can take this layout (every channel
    /// count for `planar`; a multiple of the block otherwise).
    public func admits(channels: Int) -> Bool {
        switch self {
        case .planar: return true
        case .channelBlocked(let b):
            precondition(b >= 1, "ImageLayout: a channel block must be positive, got \(b)")
            return channels % b == 0
        }
    }

    /// The tensor shape of images whose NCHW shape is `images` (`[n, c, h, w]`, with `c`
    /// admitted).
    public func tensorShape(ofImages images: [Int]) -> [Int] {
        precondition(images.count == 4, "ImageLayout: images must be [batch, channels, height, width], got \(images)")
        switch self {
        case .planar: return images
        case .channelBlocked(let b):
            precondition(admits(channels: images[1]), "ImageLayout: \(images[1]) channels do not fill blocks of \(b)")
            return [images[0], images[1] / b, images[2], images[3], b]
        }
    }

    /// The NCHW shape of the images a tensor of shape `shape` holds in this layout, or nil
    /// when the shape is not one of this layout's.
    public func imagesShape(ofTensorShape shape: [Int]) -> [Int]? {
        switch self {
        case .planar:
            return shape.count == 4 ? shape : nil
        case .channelBlocked(let b):
            guard shape.count == 5, shape[4] == b else { return nil }
            return [shape[0], shape[1] * b, shape[2], shape[3]]
        }
    }

    /// The tensor shape expected of images with `channels` channels, with `nil` for the
    /// batch, height and width (for a layer's shape check).
    public func expectedTensorShape(channels: Int) -> [Int?] {
        switch self {
        case .planar: [nil, channels, nil, nil]
        case .channelBlocked(let b): [nil, channels / b, nil, nil, b]
        }
    }

    /// oneDNN's format tag of this layout for 4-D activations.
    var oneDNNTag: dnnl_format_tag_t {
        switch self {
        case .planar: return dnnl_nchw
        case .channelBlocked(let b):
            precondition(Self.supportedBlocks.contains(b), "ImageLayout: oneDNN has no nChw\(b)c; blocks are 8 or 16")
            return b == 16 ? dnnl_nChw16c : dnnl_nChw8c
        }
    }
}

extension Tensor {
    /// The same images in `target`'s layout; `self` holds them in `source`'s. A copy,
    /// exact (used where a planar and a blocked part of a network meet, and by the tests).
    public func rearranged(from source: ImageLayout, to target: ImageLayout) -> Tensor {
        guard let images = source.imagesShape(ofTensorShape: shape) else {
            preconditionFailure("Tensor.rearranged: shape \(shape) is not a \(source) tensor")
        }
        if source == target { return self }
        let (n, c, plane) = (images[0], images[1], images[2] * images[3])
        // Element offset of (image, channel, position) in a layout.
        func offset(_ layout: ImageLayout, _ i: Int, _ ch: Int, _ p: Int) -> Int {
            switch layout {
            case .planar: return (i * c + ch) * plane + p
            case .channelBlocked(let b): return ((i * (c / b) + ch / b) * plane + p) * b + ch % b
            }
        }
        return Tensor(shape: target.tensorShape(ofImages: images)) { y in
            withUnsafeBufferPointer { x in
                for i in 0..<n {
                    for ch in 0..<c {
                        for p in 0..<plane { y[offset(target, i, ch, p)] = x[offset(source, i, ch, p)] }
                    }
                }
            }
        }
    }
}
