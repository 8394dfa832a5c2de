import Core
import Tensor

/// The Fashion-MNIST images of the `fashion_mnist` workload, read from the Debian
/// package's gzipped idx files: the training file split by a seeded permutation into the
/// training and validation sets, the t10k file as the test set, and the grey-level
/// normalisation measured on the training set.
struct FashionMNISTData: Sendable {
    let train: ImageDataSet
    let validation: ImageDataSet
    let test: ImageDataSet
    let normalization: ImageNormalization

    /// What to run when a file is missing or corrupt.
    static let remedy = "sudo apt-get install --reinstall -y dataset-fashion-mnist (or: make deps)"
    /// The largest file read (the training images are 26 MB compressed, 47 MB inflated).
    static let maximumFileBytes = 64 << 20

    /// Reads and checks the four files in `settings.dataFolder`.
    init(settings s: FashionMNISTSettings) throws {
        let names = FashionMNISTSettings.fileNames
        let trainFile = try Self.read(
            images: (names.trainImages, s.trainImagesSHA256), labels: (names.trainLabels, s.trainLabelsSHA256),
            count: s.trainFileExamples, settings: s)
        test = try Self.read(
            images: (names.testImages, s.testImagesSHA256), labels: (names.testLabels, s.testLabelsSHA256),
            count: s.testExamples, settings: s)
        let split = Self.split(count: s.trainFileExamples, validation: s.validationExamples, seed: s.splitSeed)
        train = Self.subset(trainFile, split.train)
        validation = Self.subset(trainFile, split.validation)
        normalization = ImageNormalization(measuring: train)
    }

    /// The seeded split of `0..<count` into `validation` indices and the rest for
    /// training, each in increasing order: the first `validation` entries of a seeded
    /// permutation are the validation set.
    static func split(count: Int, validation: Int, seed: UInt64) -> (train: [Int], validation: [Int]) {
        precondition(validation >= 1 && validation < count, "FashionMNISTData.split: \(validation) of \(count) for validation")
        var generator = RandomGenerator(seed: StableHash.derive(seed, "fashion_mnist.split"))
        let order = generator.permutation(count)
        return (order[validation...].sorted(), order[..<validation].sorted())
    }

    /// The images at `indices` of `set`.
    static func subset(_ set: ImageDataSet, _ indices: [Int]) -> ImageDataSet {
        let elements = set.imageElements
        var pixels = [UInt8]()
        pixels.reserveCapacity(indices.count * elements)
        for index in indices { pixels.append(contentsOf: set.pixels[(index * elements)..<((index + 1) * elements)]) }
        return ImageDataSet(channels: set.channels, size: set.size, pixels: pixels, labels: indices.map { set.labels[$0] })
    }

    /// An image file and its label file, checked against each other and the settings.
    private static func read(
        images: (name: String, sha256: String), labels: (name: String, sha256: String), count: Int, settings s: FashionMNISTSettings
    ) throws -> ImageDataSet {
        let imagePath = s.dataFolder + "/" + images.name, labelPath = s.dataFolder + "/" + labels.name
        let imageArray = try idx(imagePath, sha256: images.sha256, rank: 3)
        let labelArray = try idx(labelPath, sha256: labels.sha256, rank: 1)
        guard imageArray.dimensions == [count, s.imageSize, s.imageSize] else {
            throw InputError(source: imagePath, field: nil, message: "holds images of dimensions \(imageArray.dimensions), expected [\(count), \(s.imageSize), \(s.imageSize)]")
        }
        guard labelArray.dimensions == [count] else {
            throw InputError(source: labelPath, field: nil, message: "holds \(labelArray.dimensions[0]) labels, expected \(count)")
        }
        if let bad = labelArray.elements.firstIndex(where: { Int($0) >= s.classes }) {
            throw InputError(source: labelPath, field: nil, message: "label \(bad) is \(labelArray.elements[bad]), expected a class in 0..<\(s.classes)")
        }
        return ImageDataSet(channels: 1, size: s.imageSize, pixels: imageArray.elements, labels: labelArray.elements.map { Int32($0) })
    }

    /// The idx array of rank `rank` in the gzipped file `path`, once its SHA-256 matches.
    static func idx(_ path: String, sha256: String, rank: Int) throws -> IDXFile {
        let compressed = try DataFile(path: path, sha256: sha256, maximumBytes: maximumFileBytes, remedy: remedy).read()
        let bytes = try Gzip.decompress(compressed, source: path, maximumBytes: maximumFileBytes)
        return try IDXFile(parsing: bytes, rank: rank, source: path)
    }
}
