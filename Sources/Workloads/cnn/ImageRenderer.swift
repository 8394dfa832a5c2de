import Foundation
import Tensor

/// Draws one procedural image of a class: a gradient background, clutter, the class's
/// textured object under a random pose, colour jitter and pixel noise, quantised to bytes.
///
/// Every random choice comes from the generator passed in, in a fixed order, so an
/// image depends only on that generator's seed. Pixels are stored planar (CHW), RGB,
/// one byte per channel, like CIFAR-10.
///
/// The pose: object radius `U(0.2, 0.34)·size`, centre `U(0.32, 0.68)·size` on each axis,
/// rotation `U(0, 2π)`. The object's colour is one of its class's palette colours with
/// hue, saturation and value jitter; its fill is modulated by stripes of the class's
/// frequency at a random orientation and phase. Edges are anti-aliased over one pixel.
struct ImageRenderer: Sendable {
    let size: Int
    let clutterObjects: Int
    let pixelNoiseStandardDeviation: Float
    let colourJitter: Float

    /// Elements of one image (3 · size · size).
    var imageElements: Int { 3 * size * size }

    /// Renders an image of `prototype` into `output` (`imageElements` bytes), using
    /// `canvas` (`imageElements` floats) as scratch.
    func render(
        _ prototype: ImageClassPrototype, using generator: inout RandomGenerator,
        canvas: UnsafeMutablePointer<Float>, into output: UnsafeMutablePointer<UInt8>
    ) {
        drawBackground(canvas, using: &generator)
        let clutter = clutterObjects > 0 ? generator.nextInt(below: clutterObjects + 1) : 0
        for _ in 0..<clutter { drawClutter(canvas, using: &generator) }
        drawObject(prototype, canvas, using: &generator)
        finish(canvas, using: &generator, into: output)
    }

    // MARK: - Layers of the image

    /// A linear gradient between two uniformly random colours along a random direction.
    private func drawBackground(_ canvas: UnsafeMutablePointer<Float>, using g: inout RandomGenerator) {
        let from = (uniform(&g, 0.05, 0.95), uniform(&g, 0.05, 0.95), uniform(&g, 0.05, 0.95))
        let to = (uniform(&g, 0.05, 0.95), uniform(&g, 0.05, 0.95), uniform(&g, 0.05, 0.95))
        let angle = uniform(&g, 0, 2 * Float.pi)
        let steepness = uniform(&g, 0.5, 1.5) / Float(size)
        let (dx, dy) = (cos(angle) * steepness, sin(angle) * steepness)
        let half = Float(size) / 2, plane = size * size
        for y in 0..<size {
            for x in 0..<size {
                let t = min(max(0.5 + (Float(x) + 0.5 - half) * dx + (Float(y) + 0.5 - half) * dy, 0), 1)
                let i = y * size + x
                canvas[i] = from.0 + (to.0 - from.0) * t
                canvas[plane + i] = from.1 + (to.1 - from.1) * t
                canvas[2 * plane + i] = from.2 + (to.2 - from.2) * t
            }
        }
    }

    /// A small flat-coloured disk or thin bar at a random place.
    private func drawClutter(_ canvas: UnsafeMutablePointer<Float>, using g: inout RandomGenerator) {
        let s = Float(size)
        let colour = (g.nextFloat(), g.nextFloat(), g.nextFloat())
        let centre = (uniform(&g, 0, s), uniform(&g, 0, s))
        let isBar = g.nextUInt32() & 1 == 1
        let angle = uniform(&g, 0, Float.pi)
        let (c, sn) = (cos(angle), sin(angle))
        // Disk: radius 0.04–0.1 size; bar: half-length 0.08–0.16, half-thickness 0.015–0.03 size.
        let a = isBar ? uniform(&g, 0.08, 0.16) * s : uniform(&g, 0.04, 0.1) * s
        let b = isBar ? max(uniform(&g, 0.015, 0.03) * s, 0.5) : a
        paint(centre: centre, extent: a + 1, canvas: canvas) { px, py in
            let u = c * px + sn * py, v = -sn * px + c * py
            let distance = isBar ? max(abs(u) - a, abs(v) - b) : (u * u + v * v).squareRoot() - a
            return (min(max(0.5 - distance, 0), 1), colour.0, colour.1, colour.2)
        }
    }

    /// The class object: shape, jittered palette colour, stripes of the class frequency.
    private func drawObject(_ prototype: ImageClassPrototype, _ canvas: UnsafeMutablePointer<Float>, using g: inout RandomGenerator) {
        let s = Float(size)
        let radius = uniform(&g, 0.2, 0.34) * s
        let centre = (uniform(&g, 0.32, 0.68) * s, uniform(&g, 0.32, 0.68) * s)
        let angle = uniform(&g, 0, 2 * Float.pi)
        var hsv = prototype.palette[g.nextInt(below: prototype.palette.count)]
        hsv.hue += colourJitter * uniform(&g, -0.04, 0.04)
        hsv.saturation = min(max(hsv.saturation * (1 + colourJitter * uniform(&g, -0.15, 0.15)), 0), 1)
        hsv.value = min(max(hsv.value * (1 + colourJitter * uniform(&g, -0.15, 0.15)), 0), 1)
        let colour = hsv.rgb
        let stripeAngle = uniform(&g, 0, 2 * Float.pi)
        let phase = uniform(&g, 0, 2 * Float.pi)
        let frequency = 2 * Float.pi * prototype.textureFrequency
        let (c, sn) = (cos(angle) / radius, sin(angle) / radius)
        let (sc, ss) = (cos(stripeAngle) * frequency, sin(stripeAngle) * frequency)
        let shape = prototype.shape
        let textured = prototype.textureFrequency > 0
        paint(centre: centre, extent: radius + 1, canvas: canvas) { px, py in
            // Object frame in radius units.
            let u = c * px + sn * py, v = -sn * px + c * py
            let coverage = min(max(0.5 - shape.signedDistance(u, v) * radius, 0), 1)
            guard coverage > 0 else { return (0, 0, 0, 0) }
            let shade: Float = textured ? 1 - 0.55 * (0.5 + 0.5 * sin(sc * u + ss * v + phase)) : 1
            return (coverage, colour.0 * shade, colour.1 * shade, colour.2 * shade)
        }
    }

    /// Blends `colour(px, py) = (alpha, r, g, b)` over the canvas for the pixels within
    /// `extent` of `centre`; `(px, py)` is the pixel centre relative to `centre`.
    @inline(__always)
    private func paint(
        centre: (Float, Float), extent: Float, canvas: UnsafeMutablePointer<Float>,
        _ colour: (Float, Float) -> (Float, Float, Float, Float)
    ) {
        let plane = size * size
        let x0 = max(Int((centre.0 - extent).rounded(.down)), 0), x1 = min(Int((centre.0 + extent).rounded(.up)), size)
        let y0 = max(Int((centre.1 - extent).rounded(.down)), 0), y1 = min(Int((centre.1 + extent).rounded(.up)), size)
        guard x0 < x1, y0 < y1 else { return }
        for y in y0..<y1 {
            let py = Float(y) + 0.5 - centre.1
            for x in x0..<x1 {
                let (alpha, r, gr, b) = colour(Float(x) + 0.5 - centre.0, py)
                guard alpha > 0 else { continue }
                let i = y * size + x
                canvas[i] += alpha * (r - canvas[i])
                canvas[plane + i] += alpha * (gr - canvas[plane + i])
                canvas[2 * plane + i] += alpha * (b - canvas[2 * plane + i])
            }
        }
    }

    /// Per-image colour jitter (channel gains, brightness, contrast), pixel noise, and
    /// quantisation to bytes.
    private func finish(_ canvas: UnsafeMutablePointer<Float>, using g: inout RandomGenerator, into output: UnsafeMutablePointer<UInt8>) {
        let plane = size * size
        let brightness = colourJitter * uniform(&g, -0.1, 0.1)
        let contrast = 1 + colourJitter * uniform(&g, -0.2, 0.2)
        let sigma = pixelNoiseStandardDeviation
        for channel in 0..<3 {
            let gain = 1 + colourJitter * uniform(&g, -0.1, 0.1)
            let scale = gain * contrast
            let offset = 0.5 - 0.5 * contrast + brightness
            let source = canvas + channel * plane, target = output + channel * plane
            for i in 0..<plane {
                // Noise: three 10-bit uniforms summed (Irwin–Hall, variance 1/4), scaled to unit variance.
                let bits = g.nextUInt32()
                let sum = Float(bits & 0x3FF) + Float((bits >> 10) & 0x3FF) + Float((bits >> 20) & 0x3FF)
                let noise = (sum * (1 / 1024) - 1.5) * 2
                let value = min(max(source[i] * scale + offset + sigma * noise, 0), 1)
                target[i] = UInt8(value * 255 + 0.5)
            }
        }
    }

    @inline(__always)
    private func uniform(_ g: inout RandomGenerator, _ low: Float, _ high: Float) -> Float {
        low + (high - low) * g.nextFloat()
    }
}
