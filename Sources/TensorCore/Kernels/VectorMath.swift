// VectorMath: branch-free exp, sigmoid and tanh that LLVM vectorizes, for the activation, softmax and LSTM kernels.

/// Transcendentals written so that a plain loop over them vectorizes: no libm calls (5–50 ns each, which dominated
/// the LSTM cell), no traps (integer conversions are done with the float "magic number" trick), only selects.
///
/// `exp` is the Cephes single-precision algorithm: `eˣ = 2ⁿ · eʳ` with `n = round(x / ln 2)`, `r = x − n·ln 2`
/// (split in two constants for precision), `eʳ` by a degree-5 minimax polynomial; within a few ulp of libm's
/// `expf`. Below −87.3 the result is 0 (no denormals), above ln(FLT_MAX) ≈ 88.72 it is +∞, NaN stays NaN.
enum VectorMath {
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let clamped = x < -87.3 ? -87.3 : (x > 88.722_83 ? 88.722_83 : x)
        // Adding 1.5·2²³ rounds to an integer held in the low mantissa bits.
        let shifted = clamped * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        var r = clamped - n * 0.693_359_375
        r = r + n * 2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let polynomial = p * (r * r) + r + 1
        // 2ⁿ from its exponent bits; n = 128 (x near ln FLT_MAX) is 2·2¹²⁷, which has no single exponent.
        let top: UInt32 = n > 127 ? 1 : 0
        let exponent = (shifted.bitPattern &- 0x4B40_0000 &+ 127 &- top) &<< 23
        var result = polynomial * Float(bitPattern: exponent) * (n > 127 ? 2 : 1)
        result = x < -87.3 ? 0 : result
        result = x > 88.722_83 ? .infinity : result
        return x != x ? x : result
    }

    /// `eˣ` for `x` already clamped to [−87, 88] (so `2ⁿ` is a normal float and needs no special cases); a NaN
    /// stays NaN through the arithmetic. The core of `sigmoid` and `tanh`, about 20 vector instructions.
    @inline(__always)
    static func exponentialCore(_ x: Float) -> Float {
        let shifted = x * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        var r = x - n * 0.693_359_375
        r = r + n * 2.121_944_4e-4
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let polynomial = p * (r * r) + r + 1
        return polynomial * Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
    }

    /// `x` clamped to [lower, upper], NaN kept (each comparison is false for NaN, so NaN falls through).
    @inline(__always)
    static func clamp(_ x: Float, _ lower: Float, _ upper: Float) -> Float {
        let below = x > upper ? upper : x
        return below < lower ? lower : below
    }

    /// `1 / (1 + e^−x)`: exactly 1 above 87 (e^−87 vanishes against 1) and exactly 0 below −88.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        let value = 1 / (1 + exponentialCore(clamp(-x, -87, 88)))
        return x < -88 ? 0 : value
    }

    /// `tanh x = sign(x) · (1 − 2 / (e^{2|x|} + 1))`, with the odd Taylor polynomial below |x| = 1/16 for relative
    /// accuracy near 0; |x| is clamped to 44, where the result is exactly ±1.
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let magnitude = Float(bitPattern: x.bitPattern & 0x7FFF_FFFF)
        let large = 1 - 2 / (exponentialCore(2 * (magnitude > 44 ? 44 : magnitude)) + 1)
        let square = x * x
        var series: Float = -17 / 315
        series = series * square + 2 / 15
        series = series * square - 1 / 3
        let small = x * (series * square + 1)
        let signed = Float(bitPattern: large.bitPattern | (x.bitPattern & 0x8000_0000))
        return magnitude < 0.0625 ? small : signed
    }

    // MARK: four lanes at a time

    /// Four scalars in one SSE register: the explicit-SIMD forms below compute exactly what the scalar forms do (the
    /// same operations in the same order), for kernels whose loops LLVM does not vectorize on its own (the LSTM cell
    /// reads and writes through many pointers).
    typealias Lanes = SIMD4<Float>
    typealias LaneBits = SIMD4<UInt32>

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    static func store(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }

    @inline(__always)
    static func exponentialCore(_ x: Lanes) -> Lanes {
        let shifted = x * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        var r = x - n * 0.693_359_375
        r = r + n * 2.121_944_4e-4
        var p = Lanes(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let polynomial = p * (r * r) + r + 1
        let exponent = (unsafeBitCast(shifted, to: LaneBits.self) &- 0x4B40_0000 &+ 127) &<< 23
        return polynomial * unsafeBitCast(exponent, to: Lanes.self)
    }

    @inline(__always)
    static func clamp(_ x: Lanes, _ lower: Float, _ upper: Float) -> Lanes {
        let below = x.replacing(with: upper, where: x .> upper)
        return below.replacing(with: lower, where: below .< lower)
    }

    @inline(__always)
    static func sigmoid(_ x: Lanes) -> Lanes {
        let value = 1 / (1 + exponentialCore(clamp(-x, -87, 88)))
        return value.replacing(with: 0, where: x .< -88)
    }

    @inline(__always)
    static func tanh(_ x: Lanes) -> Lanes {
        let bits = unsafeBitCast(x, to: LaneBits.self)
        let magnitude = unsafeBitCast(bits & 0x7FFF_FFFF, to: Lanes.self)
        let large = 1 - 2 / (exponentialCore(2 * magnitude.replacing(with: 44, where: magnitude .> 44)) + 1)
        let square = x * x
        var series = Lanes(repeating: -17 / 315)
        series = series * square + 2 / 15
        series = series * square - 1 / 3
        let small = x * (series * square + 1)
        let signed = unsafeBitCast(unsafeBitCast(large, to: LaneBits.self) | (bits & 0x8000_0000), to: Lanes.self)
        return signed.replacing(with: small, where: magnitude .< 0.0625)
    }

    /// `output[i] = f(input[i])`; `input` and `output` may be the same buffer.
    @inline(__always)
    static func map(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int, _ f: (Float) -> Float
    ) {
        for index in 0..<count { output[index] = f(input[index]) }
    }
}

extension TensorStorage {
    /// A new storage with `f` applied to every scalar.
    @inline(__always)
    func mapVector(_ f: (Float) -> Float) -> TensorStorage {
        let output = TensorStorage(uninitializedCount: count)
        VectorMath.map(pointer, output.pointer, count: count, f)
        return output
    }
}
