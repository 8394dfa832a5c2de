/// The ten object silhouettes of the procedural image classes.
///
/// Each shape is a (approximate) signed distance in its own frame: negative inside,
/// positive outside, in units of the object radius; every shape fits in the unit disk.
/// The shapes are chosen to stay distinct under any rotation (no square and diamond
/// pair) and under a horizontal flip (every shape is mirror-symmetric).
public enum ImageShape: Int, CaseIterable, Sendable {
    case disk, square, triangle, ring, cross, star, bars, crescent, rod, tee

    /// Signed distance of the point `(x, y)` to the shape's boundary (negative inside).
    @inline(__always)
    func signedDistance(_ x: Float, _ y: Float) -> Float {
        switch self {
        case .disk:
            return (x * x + y * y).squareRoot() - 0.85
        case .square:
            return max(abs(x), abs(y)) - 0.68
        case .triangle:
            // Equilateral, inradius 0.45 (circumradius 0.9): edge normals at −90°, 30°, 150°.
            let a = -y
            let b = 0.866_025_4 * x + 0.5 * y
            let c = -0.866_025_4 * x + 0.5 * y
            return max(a, max(b, c)) - 0.45
        case .ring:
            return abs((x * x + y * y).squareRoot() - 0.64) - 0.22
        case .cross:
            return min(Self.box(x, y, 0.9, 0.26), Self.box(x, y, 0.26, 0.9))
        case .star:
            // Five points: r − (0.55 + 0.35 cos 5θ), with cos 5θ from cos θ by Chebyshev.
            let r = (x * x + y * y).squareRoot()
            guard r > 1e-6 else { return -0.55 }
            let c = x / r, c2 = c * c
            let cos5 = c * (16 * c2 * c2 - 20 * c2 + 5)
            return (r - (0.55 + 0.35 * cos5)) * 0.7
        case .bars:
            return min(Self.box(x, y - 0.42, 0.75, 0.18), Self.box(x, y + 0.42, 0.75, 0.18))
        case .crescent:
            let outer = (x * x + y * y).squareRoot() - 0.85
            let dx = x - 0.45
            let inner = (dx * dx + y * y).squareRoot() - 0.7
            return max(outer, -inner)
        case .rod:
            // Capsule around the segment from (−0.65, 0) to (0.65, 0).
            let dx = max(abs(x) - 0.65, 0)
            return (dx * dx + y * y).squareRoot() - 0.3
        case .tee:
            return min(Self.box(x, y - 0.45, 0.7, 0.2), Self.box(x, y + 0.2, 0.2, 0.65))
        }
    }

    /// Chebyshev-style distance to an axis-aligned box of half-extents `(a, b)`.
    @inline(__always)
    private static func box(_ x: Float, _ y: Float, _ a: Float, _ b: Float) -> Float {
        max(abs(x) - a, abs(y) - b)
    }
}
