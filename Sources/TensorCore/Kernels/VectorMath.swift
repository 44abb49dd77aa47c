// VectorMath: branch-free exp, sigmoid and tanh that LLVM vectorizes, for the activation, softmax and LSTM kernels.

/// Transcendentals written so that a plain loop over them vectorizes: no libm calls (5–50 ns each, which dominated
/// the LSTM cell), no traps (integer conversions are done with the float "magic number" trick), only selects.
///
/// `exp` is the Cephes single-precision algorithm: `eˣ = 2ⁿ · eʳ` with `n = round(x / ln 2)`, `r = x − n·ln 2`
/// (split in two constants for precision), `eʳ` by a degree-5 minimax polynomial; within a few ulp of libm's
/// `expf`. Below −87.3 the result is 0 (no denormals), above ln(FLT_MAX) ≈ 88.72 it is +∞, NaN stays NaN.
/// `sigmoid` and `tanh` use cheaper cores of their own (`exponent2Core`, `oneMinusExponent2`: `2ᵗ` by a fitted
/// polynomial after rounding `t`, no Cody–Waite split, no special cases) because their results are insensitive to
/// the relative error of a huge or tiny `eˣ`; each also has a four-lane form (`Lanes`) for the LSTM kernel.
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

    /// `1 − 2ᵗ` for `t ≤ 0` (clamped at −126), accurate relative to its size even near 0: `2ᵗ − 1 = 2ⁿ·q + (2ⁿ − 1)`
    /// with `q = 2^f − 1 = f·P(f)` on [−½, ½], `P` of degree 5 fitted for relative error (≤ 1.1e−8); `2ⁿ − 1` is
    /// exact. The core of `tanh`.
    @inline(__always)
    static func oneMinusExponent2(_ t: Float) -> Float {
        let clamped = t < -126 ? -126 : t
        let shifted = clamped + 12_582_912
        let f = clamped - (shifted - 12_582_912)
        var p: Float = 1.540_351_222_502_067_7e-4
        p = p * f + 1.339_073_525_741_696_4e-3
        p = p * f + 9.618_237_614_631_653e-3
        p = p * f + 5.550_357_326_865_196e-2
        p = p * f + 2.402_264_922_857_284_5e-1
        p = p * f + 6.931_471_824_645_996e-1
        let scale = Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        return (1 - scale) - scale * (p * f)
    }

    /// `tanh x = sign(x) · r / (2 − r)` with `r = 1 − e^{−2|x|}` from `oneMinusExponent2`, so small arguments keep
    /// their relative accuracy without a separate series: within 1.5e−7 of the exact value (2.3e−7 relative), exactly
    /// ±1 for large |x|, ±0 at ±0, NaN stays NaN.
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let r = oneMinusExponent2(Float(bitPattern: x.bitPattern & 0x7FFF_FFFF) * -2.885_390_08)
        let magnitude = r / (2 - r)
        return Float(bitPattern: magnitude.bitPattern | (x.bitPattern & 0x8000_0000))
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
    static func oneMinusExponent2(_ t: Lanes) -> Lanes {
        let clamped = t.replacing(with: -126, where: t .< -126)
        let shifted = clamped + 12_582_912
        let f = clamped - (shifted - 12_582_912)
        var p = Lanes(repeating: 1.540_351_222_502_067_7e-4)
        p = p * f + 1.339_073_525_741_696_4e-3
        p = p * f + 9.618_237_614_631_653e-3
        p = p * f + 5.550_357_326_865_196e-2
        p = p * f + 2.402_264_922_857_284_5e-1
        p = p * f + 6.931_471_824_645_996e-1
        let exponent = (unsafeBitCast(shifted, to: LaneBits.self) &- 0x4B40_0000 &+ 127) &<< 23
        let scale = unsafeBitCast(exponent, to: Lanes.self)
        return (1 - scale) - scale * (p * f)
    }

    @inline(__always)
    static func tanh(_ x: Lanes) -> Lanes {
        let bits = unsafeBitCast(x, to: LaneBits.self)
        let r = oneMinusExponent2(unsafeBitCast(bits & 0x7FFF_FFFF, to: Lanes.self) * -2.885_390_08)
        let magnitude = r / (2 - r)
        return unsafeBitCast(unsafeBitCast(magnitude, to: LaneBits.self) | (bits & 0x8000_0000), to: Lanes.self)
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
