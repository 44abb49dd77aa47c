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

    /// `2ᵗ` for sigmoid and tanh: `t` is clamped to [−126, 128] (NaN passes the clamps), `n = round(t)`, `2ⁿ` from
    /// its exponent bits (t ≥ 127.5 gives n = 128, i.e. +∞, so σ of very negative arguments is exactly 0) and `2^(t − n)`
    /// by a degree-5 polynomial on [−½, ½] fitted for relative error (≤ 9.2e−8; ≤ 3 ulp evaluated in Float). About 17
    /// vector instructions, against 25 for `exp` with its Cody–Waite reduction and special cases: `σ` and `tanh` take
    /// `t = −x·log₂e`, whose rounding costs relative accuracy only where the result is tiny.
    @inline(__always)
    static func exponent2Core(_ t: Float) -> Float {
        let below = t > 128 ? 128 : t
        let clamped = below < -126 ? -126 : below
        let shifted = clamped + 12_582_912  // 1.5·2²³: rounds to an integer held in the low mantissa bits.
        let f = clamped - (shifted - 12_582_912)
        var p: Float = 1.326_472_731_307_149e-3
        p = p * f + 9.671_512_991_189_957e-3
        p = p * f + 5.550_733_581_185_341e-2
        p = p * f + 2.402_224_242_687_225_3e-1
        p = p * f + 6.931_470_036_506_653e-1
        p = p * f + 1
        return p * Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
    }

    /// `1 / (1 + e^−x)`, within 1e−7 of the exact value; exactly 1 above 87 and exactly 0 below −88.7.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + exponent2Core(x * -1.442_695_04)) }

    /// `tanh x = sign(x) · (1 − e^{−2|x|}) / (1 + e^{−2|x|})`, with the odd Taylor polynomial below |x| = 1/16 for
    /// relative accuracy near 0; within 1.1e−7 of the exact value, exactly ±1 for large |x|, NaN stays NaN.
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let magnitude = Float(bitPattern: x.bitPattern & 0x7FFF_FFFF)
        let e = exponent2Core(magnitude * -2.885_390_08)
        let large = (1 - e) / (1 + e)
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
    static let laneCount = Lanes.scalarCount

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    static func store(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }

    @inline(__always)
    static func exponent2Core(_ t: Lanes) -> Lanes {
        let below = t.replacing(with: 128, where: t .> 128)
        let clamped = below.replacing(with: -126, where: below .< -126)
        let shifted = clamped + 12_582_912
        let f = clamped - (shifted - 12_582_912)
        var p = Lanes(repeating: 1.326_472_731_307_149e-3)
        p = p * f + 9.671_512_991_189_957e-3
        p = p * f + 5.550_733_581_185_341e-2
        p = p * f + 2.402_224_242_687_225_3e-1
        p = p * f + 6.931_470_036_506_653e-1
        p = p * f + 1
        let exponent = (unsafeBitCast(shifted, to: LaneBits.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: Lanes.self)
    }

    @inline(__always)
    static func sigmoid(_ x: Lanes) -> Lanes { 1 / (1 + exponent2Core(x * -1.442_695_04)) }

    @inline(__always)
    static func tanh(_ x: Lanes) -> Lanes {
        let bits = unsafeBitCast(x, to: LaneBits.self)
        let magnitude = unsafeBitCast(bits & 0x7FFF_FFFF, to: Lanes.self)
        let e = exponent2Core(magnitude * -2.885_390_08)
        let large = (1 - e) / (1 + e)
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
