import Core

/// The data and model settings of the `cnn` workload, read strictly from its spec.
///
/// | key | meaning |
/// |---|---|
/// | `image_size` | side of the square RGB images (32 in the suite; smaller for tests) |
/// | `classes` | number of classes, 2…10 (each has its own shape, palette and texture frequency) |
/// | `train_examples`, `validation_examples`, `test_examples` | fixed data-set sizes (balanced over the classes) |
/// | `train_eval_examples` | size of the training subset whose loss `evaluate` reports (the first examples) |
/// | `clutter_objects` | at most this many small distractor blobs and bars behind the object (uniform 0…max) |
/// | `pixel_noise_std` | standard deviation of the per-pixel noise, in units of the [0, 1] intensity range |
/// | `colour_jitter` | strength of the per-image hue, saturation, brightness and contrast jitter (0 = none, 1 = default) |
/// | `crop_padding` | random-crop augmentation: pad by this many black pixels, crop back at a random offset (0 = off) |
/// | `horizontal_flip` | random horizontal-flip augmentation with probability ½ |
/// | `width` | channels of the stem and the first stage; each later stage doubles them |
/// | `stem_stride` | stride of the stem convolution, 1 or 2 (2 halves the resolution of every stage: the same FLOPs buy twice the channels, which run faster on a CPU) |
/// | `stages` | stages of residual blocks; every stage after the first starts with a stride-2 convolution |
/// | `blocks_per_stage` | residual blocks per stage |
/// | `activation` | `relu` or `gelu` |
/// | `flops_per_image` | documentation only: forward FLOPs per image of the model at these settings (2 per multiply-add; a test checks it against `CNNWorkload.forwardFlopsPerImage`) |
/// | `data_seed` | seed of the data set (class prototypes and every image) |
public struct CNNSettings: Sendable, Equatable {
    public enum Activation: String, Sendable { case relu, gelu }

    public var imageSize: Int
    public var classes: Int
    public var trainExamples: Int
    public var validationExamples: Int
    public var testExamples: Int
    public var trainEvalExamples: Int
    public var clutterObjects: Int
    public var pixelNoiseStandardDeviation: Double
    public var colourJitter: Double
    public var cropPadding: Int
    public var horizontalFlip: Bool
    public var width: Int
    public var stemStride: Int
    public var stages: Int
    public var blocksPerStage: Int
    public var activation: Activation
    public var flopsPerImage: Int
    public var dataSeed: UInt64

    /// Reads every setting of `spec` and rejects unknown keys.
    public init(spec: WorkloadSpec) throws {
        var reader = try spec.settingsReader()
        imageSize = try reader.integer("image_size", in: 4...256)
        classes = try reader.integer("classes", in: 2...ImageShape.allCases.count)
        trainExamples = try reader.integer("train_examples", in: 1...10_000_000)
        validationExamples = try reader.integer("validation_examples", in: 1...10_000_000)
        testExamples = try reader.integer("test_examples", in: 1...10_000_000)
        trainEvalExamples = try reader.integer("train_eval_examples", in: 1...10_000_000)
        guard trainEvalExamples <= trainExamples else {
            throw InputError(source: spec.source, field: reader.fieldPath("train_eval_examples"), message: "must be ≤ train_examples (\(trainExamples)), found \(trainEvalExamples)")
        }
        clutterObjects = try reader.integer("clutter_objects", in: 0...64)
        pixelNoiseStandardDeviation = try reader.number("pixel_noise_std")
        guard pixelNoiseStandardDeviation >= 0, pixelNoiseStandardDeviation <= 1 else {
            throw InputError(source: spec.source, field: reader.fieldPath("pixel_noise_std"), message: "must be in 0...1, found \(pixelNoiseStandardDeviation)")
        }
        colourJitter = try reader.number("colour_jitter")
        guard colourJitter >= 0, colourJitter <= 2 else {
            throw InputError(source: spec.source, field: reader.fieldPath("colour_jitter"), message: "must be in 0...2, found \(colourJitter)")
        }
        cropPadding = try reader.integer("crop_padding", in: 0...64)
        guard cropPadding < imageSize else {
            throw InputError(source: spec.source, field: reader.fieldPath("crop_padding"), message: "must be < image_size (\(imageSize)), found \(cropPadding)")
        }
        horizontalFlip = try reader.bool("horizontal_flip")
        width = try reader.integer("width", in: 1...1024)
        stemStride = try reader.integer("stem_stride", in: 1...2)
        stages = try reader.integer("stages", in: 1...5)
        blocksPerStage = try reader.integer("blocks_per_stage", in: 0...16)
        let activationName = try reader.choice("activation", ["relu", "gelu"])
        activation = Activation(rawValue: activationName) ?? .relu
        flopsPerImage = try reader.integer("flops_per_image", in: 0...Int(Int64.max / 2))
        dataSeed = UInt64(try reader.integer("data_seed", in: 0...Int(Int32.max)))
        try reader.finish()
    }
}
