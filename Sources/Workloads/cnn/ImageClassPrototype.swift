import Foundation
import Tensor

/// The seeded generator of one image class: its silhouette, its colour palette and the
/// spatial frequency of the stripes that texture the object.
///
/// The shape is unique to the class; palette colours and texture frequencies are drawn
/// at random per class and may coincide between classes, so colour statistics alone
/// (all a linear model on pixels can read once position, scale and rotation vary)
/// separate the classes only partly.
public struct ImageClassPrototype: Sendable, Equatable {
    /// A colour in hue, saturation, value, each in [0, 1].
    public struct HSV: Sendable, Equatable {
        public var hue: Float
        public var saturation: Float
        public var value: Float

        /// The colour as linear RGB in [0, 1] (the standard hexcone conversion).
        public var rgb: (Float, Float, Float) {
            let h = (hue - hue.rounded(.down)) * 6
            let sector = min(Int(h), 5)
            let f = h - Float(sector)
            let v = value, s = saturation
            let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
            switch sector {
            case 0: return (v, t, p)
            case 1: return (q, v, p)
            case 2: return (p, v, t)
            case 3: return (p, q, v)
            case 4: return (t, p, v)
            default: return (v, p, q)
            }
        }
    }

    /// Stripe frequencies a class may draw, in cycles per object radius (0 = flat fill).
    public static let textureFrequencies: [Float] = [0, 0.7, 1.4, 2.2]
    /// Colours per class palette.
    public static let paletteSize = 3

    public var shape: ImageShape
    public var palette: [HSV]
    /// Stripe frequency in cycles per object radius (0: the object is filled flat).
    public var textureFrequency: Float

    public init(shape: ImageShape, palette: [HSV], textureFrequency: Float) {
        precondition(!palette.isEmpty, "ImageClassPrototype: the palette must hold at least one colour")
        self.shape = shape
        self.palette = palette
        self.textureFrequency = textureFrequency
    }

    /// The prototypes of `count` classes for the data seed `seed`: a seeded assignment of
    /// distinct shapes, and random palettes and texture frequencies.
    public static func prototypes(count: Int, seed: UInt64) -> [ImageClassPrototype] {
        precondition(
            (1...ImageShape.allCases.count).contains(count),
            "ImageClassPrototype.prototypes: between 1 and \(ImageShape.allCases.count) classes, got \(count)")
        var generator = RandomGenerator(seed: StableHash.derive(seed, "cnn.classes"))
        let shapes = generator.permutation(ImageShape.allCases.count)
        return (0..<count).map { k in
            let palette = (0..<paletteSize).map { _ in
                HSV(
                    hue: generator.nextFloat(),
                    saturation: 0.45 + 0.55 * generator.nextFloat(),
                    value: 0.45 + 0.55 * generator.nextFloat())
            }
            let frequency = textureFrequencies[generator.nextInt(below: textureFrequencies.count)]
            return ImageClassPrototype(shape: ImageShape.allCases[shapes[k]], palette: palette, textureFrequency: frequency)
        }
    }
}
