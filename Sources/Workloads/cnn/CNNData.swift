import Tensor

/// The seeded procedural data of the `cnn` workload: class prototypes, the training,
/// validation and test images, and the per-channel normalisation measured on the
/// training images.
struct CNNData: Sendable {
    let prototypes: [ImageClassPrototype]
    let train: ImageDataSet
    let validation: ImageDataSet
    let test: ImageDataSet
    let normalization: ImageNormalization

    init(settings s: CNNSettings) {
        let prototypes = ImageClassPrototype.prototypes(count: s.classes, seed: s.dataSeed)
        let renderer = ImageRenderer(
            size: s.imageSize, clutterObjects: s.clutterObjects,
            pixelNoiseStandardDeviation: Float(s.pixelNoiseStandardDeviation), colourJitter: Float(s.colourJitter))
        let images = { (count: Int, label: String) -> ImageDataSet in
            ImageDataSet(count: count, prototypes: prototypes, renderer: renderer, seed: StableHash.derive(s.dataSeed, "cnn.images.\(label)"))
        }
        train = images(s.trainExamples, "train")
        validation = images(s.validationExamples, "validation")
        test = images(s.testExamples, "test")
        normalization = ImageNormalization(measuring: train)
        self.prototypes = prototypes
    }

    /// Given image sets (for tests), normalised by the statistics of `train`.
    init(prototypes: [ImageClassPrototype], train: ImageDataSet, validation: ImageDataSet, test: ImageDataSet) {
        self.prototypes = prototypes
        self.train = train
        self.validation = validation
        self.test = test
        normalization = ImageNormalization(measuring: train)
    }
}
