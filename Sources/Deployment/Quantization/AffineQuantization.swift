// AffineQuantization: how a range of floats maps to int8, x ≈ scale · (q − zeroPoint), and back.

/// The affine map between floats and int8: `x ≈ scale · (q − zeroPoint)`, `q = clamp(round(x / scale) + zeroPoint)`.
///
/// Rounding is to nearest, ties to even (PyTorch's `nearbyint`), computed as `x · (1 / scale)` as fbgemm does.
/// Weights use the symmetric form (zero point 0, `q ∈ [−127, 127]`, one scale per output channel); activations the
/// asymmetric one over `[−128, 127]`, whose range always contains 0 so that zero padding is exact.
public struct AffineQuantization: Sendable, Equatable {
    /// The step between two consecutive int8 values, in float units.
    public let scale: Float
    /// The int8 value that stands for 0.0.
    public let zeroPoint: Int32
    /// The smallest and largest int8 values used.
    public let minimum: Int32
    public let maximum: Int32

    /// Symmetric int8 for weights: `scale = max|w| / 127`, zero point 0, values in `[−127, 127]` (a zero range
    /// gets scale 1).
    public static func symmetric(maximumMagnitude: Float) -> AffineQuantization {
        let scale = maximumMagnitude > 0 && maximumMagnitude.isFinite ? maximumMagnitude / 127 : 1
        return AffineQuantization(scale: scale, zeroPoint: 0, minimum: -127, maximum: 127)
    }

    /// Asymmetric int8 for activations observed in `[lower, upper]`: the range is widened to contain 0, then
    /// `scale = (upper − lower) / 255` and `zeroPoint = −128 − round(lower / scale)` (PyTorch's observers).
    public static func activation(lower: Float, upper: Float) -> AffineQuantization {
        let low = Swift.min(lower.isFinite ? lower : 0, 0)
        let high = Swift.max(upper.isFinite ? upper : 0, 0)
        let scale = high > low ? (high - low) / 255 : 1
        let zero = Swift.min(Swift.max(-128 - Int32((low / scale).rounded(.toNearestOrEven)), -128), 127)
        return AffineQuantization(scale: scale, zeroPoint: zero, minimum: -128, maximum: 127)
    }

    /// The int8 code of `x`.
    @inline(__always)
    public func quantize(_ x: Float) -> Int8 { code(x, inverse: 1 / scale) }

    /// `clamp(round(x · inverse) + zeroPoint)`, branch-free so that loops over it vectorize: the product is
    /// clamped to ±256 in float (NaN goes to the low end), rounded to nearest-even by adding 1.5·2²³ — whose sum's
    /// low mantissa bits then hold the integer — and finished in integers.
    @inline(__always)
    func code(_ x: Float, inverse: Float) -> Int8 {
        let y = x * inverse
        let clamped = y >= -256 ? (y <= 256 ? y : 256) : -256
        let rounded = Int32(bitPattern: (clamped + 12_582_912).bitPattern) &- 0x4B40_0000
        let q = rounded &+ zeroPoint
        return Int8(truncatingIfNeeded: q < minimum ? minimum : (q > maximum ? maximum : q))
    }

    /// The float an int8 code stands for.
    public func dequantize(_ q: Int8) -> Float { scale * Float(Int32(q) - zeroPoint) }

    /// Quantizes `count` floats into `destination` (the loop the layers run on every input).
    func quantize(_ source: UnsafePointer<Float>, count: Int, into destination: UnsafeMutablePointer<Int8>) {
        let inverse = 1 / scale
        for index in 0..<count { destination[index] = code(source[index], inverse: inverse) }
    }
}
