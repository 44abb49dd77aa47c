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
    public func quantize(_ x: Float) -> Int8 {
        let q = Int32((x * (1 / scale)).rounded(.toNearestOrEven)) &+ zeroPoint
        return Int8(Swift.min(Swift.max(q, minimum), maximum))
    }

    /// The float an int8 code stands for.
    public func dequantize(_ q: Int8) -> Float { scale * Float(Int32(q) - zeroPoint) }

    /// Quantizes `count` floats into `destination` (the loop the layers run on every input).
    func quantize(_ source: UnsafePointer<Float>, count: Int, into destination: UnsafeMutablePointer<Int8>) {
        let inverse = 1 / scale
        let zero = Float(zeroPoint)
        let low = Float(minimum)
        let high = Float(maximum)
        for index in 0..<count {
            // Adding the zero point before clamping in float is exact: both are integers far below 2²⁴.
            let q = (source[index] * inverse).rounded(.toNearestOrEven) + zero
            destination[index] = Int8(Swift.min(Swift.max(q, low), high))
        }
    }
}
