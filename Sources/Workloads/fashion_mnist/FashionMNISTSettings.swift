import Core

/// The data and model settings of the `fashion_mnist` workload, read strictly from its spec.
///
/// | key | meaning |
/// |---|---|
/// | `data_folder` | folder of the four gzipped idx files (`/usr/share/datasets/fashion-mnist`, Debian package `dataset-fashion-mnist`); a relative path is relative to the spec's folder |
/// | `train_images_sha256`, `train_labels_sha256`, `test_images_sha256`, `test_labels_sha256` | SHA-256 of `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`, checked on load |
/// | `image_size` | side of the grey images the files must hold (28) |
/// | `classes` | classes the labels must lie in (10) |
/// | `train_file_examples` | images the training file must hold (60,000) |
/// | `test_examples` | images the test file must hold (10,000): the test set |
/// | `validation_examples` | images the seeded permutation of the training file puts in the validation set (5,000); the rest (55,000) are the training set |
/// | `split_seed` | seed of that permutation |
/// | `train_eval_examples` | size of the training subset whose loss `evaluate` reports (the first examples) |
/// | `conv1_channels`, `conv2_channels` | channels of the two 5×5 convolutions (DeepOBS 2c2d: 32, 64) |
/// | `hidden_units` | width of the hidden dense layer (DeepOBS: 1024) |
/// | `activation` | `relu` or `gelu` |
/// | `flops_per_image` | documentation only: forward FLOPs per image at these settings (2 per multiply-add; a test checks it against the model) |
public struct FashionMNISTSettings: Sendable, Equatable {
    public enum Activation: String, Sendable { case relu, gelu }

    /// The four files, by their names in the data folder.
    public static let fileNames = (
        trainImages: "train-images-idx3-ubyte.gz", trainLabels: "train-labels-idx1-ubyte.gz",
        testImages: "t10k-images-idx3-ubyte.gz", testLabels: "t10k-labels-idx1-ubyte.gz")

    public var dataFolder: String
    public var trainImagesSHA256: String
    public var trainLabelsSHA256: String
    public var testImagesSHA256: String
    public var testLabelsSHA256: String
    public var imageSize: Int
    public var classes: Int
    public var trainFileExamples: Int
    public var testExamples: Int
    public var validationExamples: Int
    public var splitSeed: UInt64
    public var trainEvalExamples: Int
    public var conv1Channels: Int
    public var conv2Channels: Int
    public var hiddenUnits: Int
    public var activation: Activation
    public var flopsPerImage: Int

    /// Training examples: the training file less the validation set.
    public var trainExamples: Int { trainFileExamples - validationExamples }

    /// Reads every setting of `spec` and rejects unknown keys.
    public init(spec: WorkloadSpec) throws {
        var reader = try spec.settingsReader()
        func fail(_ key: String, _ message: String) -> InputError {
            InputError(source: spec.source, field: reader.fieldPath(key), message: message)
        }
        func digest(_ key: String) throws -> String {
            let text = try reader.string(key)
            guard text.count == 64, text.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw fail(key, "must be 64 lowercase hex digits (a SHA-256), found \(PlainName.escaped(text))")
            }
            return text
        }
        dataFolder = DataFile.resolve(try reader.string("data_folder"), relativeTo: spec.source)
        trainImagesSHA256 = try digest("train_images_sha256")
        trainLabelsSHA256 = try digest("train_labels_sha256")
        testImagesSHA256 = try digest("test_images_sha256")
        testLabelsSHA256 = try digest("test_labels_sha256")
        imageSize = try reader.integer("image_size", in: 4...256)
        classes = try reader.integer("classes", in: 2...256)
        trainFileExamples = try reader.integer("train_file_examples", in: 2...10_000_000)
        testExamples = try reader.integer("test_examples", in: 1...10_000_000)
        validationExamples = try reader.integer("validation_examples", in: 1...10_000_000)
        guard validationExamples < trainFileExamples else {
            throw fail("validation_examples", "must be below train_file_examples (\(trainFileExamples)), found \(validationExamples)")
        }
        splitSeed = UInt64(try reader.integer("split_seed", in: 0...Int(Int32.max)))
        trainEvalExamples = try reader.integer("train_eval_examples", in: 1...10_000_000)
        guard trainEvalExamples <= trainFileExamples - validationExamples else {
            throw fail("train_eval_examples", "must be ≤ the training examples (\(trainFileExamples - validationExamples)), found \(trainEvalExamples)")
        }
        conv1Channels = try reader.integer("conv1_channels", in: 1...1024)
        conv2Channels = try reader.integer("conv2_channels", in: 1...1024)
        hiddenUnits = try reader.integer("hidden_units", in: 1...65536)
        activation = Activation(rawValue: try reader.choice("activation", ["relu", "gelu"])) ?? .relu
        flopsPerImage = try reader.integer("flops_per_image", in: 0...Int(Int64.max / 2))
        try reader.finish()
    }
}
