// Int8GEMM: the int8 × int8 → int32 matrix product quantized layers run (OpenBLAS has no integer GEMM).
import CInt8Kernels
import Foundation

#if arch(x86_64)
    import _Builtin_intrinsics.intel
#endif

/// `C[i, j] = Σₚ A[i, p] · B[j, p]` in int32, for int8 `A` `[m, k]` (activations) and int8 `B` `[n, k]` (weights in
/// PyTorch's `[out, in]` layout), both row-major with rows padded to a multiple of 16 with zeros.
///
/// The kernel takes 16 bytes of `k` at a time: it widens them to two `SIMD8<Int16>` and multiplies them with
/// ``pairSums(_:_:)`` — eight products whose even/odd pairs are added into four `Int32` lanes (|a·b| ≤ 128·127, so a
/// pair ≤ 32,512 cannot overflow): one SSE2 `pmaddwd` on x86-64, the same sum in plain SIMD arithmetic elsewhere.
/// Register blocking: two rows of `A` against four rows of `B` (eight accumulators) per pass over `k`, so each widened
/// weight chunk serves two outputs and each widened input chunk four. Cache blocking: the four weight rows (a few
/// KiB, resident in L1) are reused against every row of `A` before the next four are loaded, so each weight byte is
/// read from memory once per call.
///
/// On a CPU with AVX-512 VNNI the product runs in C instead (`CInt8Kernels`, compiled for that instruction set per
/// function and chosen once at run time): `vpdpbusd` multiplies and accumulates 16 bytes of `k` into four int32 lanes
/// in one instruction, without widening (2.6–3.2× the SSE2 kernel on the digits models' batch-32 shapes, measured).
/// Swift cannot compile one function for AVX-512 and the rest for baseline x86-64, hence the C target.
enum Int8GEMM {
    /// Whether ``multiply(_:_:into:m:n:rowLength:)`` uses the AVX-512 VNNI kernel on this machine
    /// (`RIGOR_INT8_KERNEL=portable` turns it off, so that benchmarks can time both kernels in one run).
    static let usesVNNI: Bool =
        rigor_int8_vnni_available() && ProcessInfo.processInfo.environment["RIGOR_INT8_KERNEL"] != "portable"
    /// The VNNI kernel sums `(x + 128) · w` (≤ 255 · 127 per product) in int32: exact up to this padded `k`.
    static let vnniMaximumRowLength = 65_536

    /// The number of int8 scalars a row of `k` takes once padded for the kernel.
    static func paddedLength(_ k: Int) -> Int { (k + 15) / 16 * 16 }

    /// Computes `c = a · bᵀ` (see the type's summary); `rowLength` is the padded `k` of both operands.
    ///
    /// - Shape: `a` `[m, rowLength]`, `b` `[n, rowLength]` → `c` `[m, n]`.
    static func multiply(
        _ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, into c: UnsafeMutablePointer<Int32>,
        m: Int, n: Int, rowLength: Int
    ) {
        precondition(rowLength % 16 == 0, "Int8GEMM: rows are padded to 16")
        if usesVNNI && rowLength <= vnniMaximumRowLength {
            rigor_int8_gemm_vnni(a, b, c, m, n, rowLength)
            return
        }
        portable(a, b, into: c, m: m, n: n, rowLength: rowLength)
    }

    /// The Swift kernel (SSE2 `pmaddwd` on x86-64, plain SIMD elsewhere); see the type's summary.
    static func portable(
        _ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, into c: UnsafeMutablePointer<Int32>,
        m: Int, n: Int, rowLength: Int
    ) {
        var j = 0
        while j < n {
            let columns = Swift.min(4, n - j)
            // Fewer than four weight rows at the end: repeat the last one (its results are not stored).
            let w0 = UnsafeRawPointer(b + j * rowLength)
            let w1 = UnsafeRawPointer(b + (j + Swift.min(1, columns - 1)) * rowLength)
            let w2 = UnsafeRawPointer(b + (j + Swift.min(2, columns - 1)) * rowLength)
            let w3 = UnsafeRawPointer(b + (j + Swift.min(3, columns - 1)) * rowLength)
            var i = 0
            while i < m {
                let pair = i + 1 < m
                let x0 = UnsafeRawPointer(a + i * rowLength)
                let x1 = UnsafeRawPointer(a + (pair ? i + 1 : i) * rowLength)
                var s00 = SIMD4<Int32>(), s01 = SIMD4<Int32>(), s02 = SIMD4<Int32>(), s03 = SIMD4<Int32>()
                var s10 = SIMD4<Int32>(), s11 = SIMD4<Int32>(), s12 = SIMD4<Int32>(), s13 = SIMD4<Int32>()
                var offset = 0
                while offset < rowLength {
                    let a0 = widen(x0, offset)
                    let a1 = widen(x1, offset)
                    var w = widen(w0, offset)
                    s00 &+= pairSums(a0.low, w.low) &+ pairSums(a0.high, w.high)
                    s10 &+= pairSums(a1.low, w.low) &+ pairSums(a1.high, w.high)
                    w = widen(w1, offset)
                    s01 &+= pairSums(a0.low, w.low) &+ pairSums(a0.high, w.high)
                    s11 &+= pairSums(a1.low, w.low) &+ pairSums(a1.high, w.high)
                    w = widen(w2, offset)
                    s02 &+= pairSums(a0.low, w.low) &+ pairSums(a0.high, w.high)
                    s12 &+= pairSums(a1.low, w.low) &+ pairSums(a1.high, w.high)
                    w = widen(w3, offset)
                    s03 &+= pairSums(a0.low, w.low) &+ pairSums(a0.high, w.high)
                    s13 &+= pairSums(a1.low, w.low) &+ pairSums(a1.high, w.high)
                    offset &+= 16
                }
                let first = SIMD4(s00.wrappedSum(), s01.wrappedSum(), s02.wrappedSum(), s03.wrappedSum())
                for column in 0..<columns { c[i * n + j + column] = first[column] }
                if pair {
                    let second = SIMD4(s10.wrappedSum(), s11.wrappedSum(), s12.wrappedSum(), s13.wrappedSum())
                    for column in 0..<columns { c[(i + 1) * n + j + column] = second[column] }
                }
                i += pair ? 2 : 1
            }
            j += 4
        }
    }

    /// 16 int8 at `base + offset`, sign-extended to two halves of eight `Int16`.
    @inline(__always)
    private static func widen(_ base: UnsafeRawPointer, _ offset: Int) -> (low: SIMD8<Int16>, high: SIMD8<Int16>) {
        let bytes = base.loadUnaligned(fromByteOffset: offset, as: SIMD16<Int8>.self)
        #if arch(x86_64)
            // Each byte into the high half of a 16-bit lane, then an arithmetic shift down: the sign extension.
            let v = unsafeBitCast(bytes, to: __m128i.self)
            return (
                unsafeBitCast(_mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8), to: SIMD8<Int16>.self),
                unsafeBitCast(_mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8), to: SIMD8<Int16>.self)
            )
        #else
            let wide = SIMD16<Int16>(truncatingIfNeeded: bytes)
            return (wide.lowHalf, wide.highHalf)
        #endif
    }

    /// The four sums of adjacent products `x[2l]·w[2l] + x[2l+1]·w[2l+1]` (SSE2's `pmaddwd`).
    @inline(__always)
    static func pairSums(_ x: SIMD8<Int16>, _ w: SIMD8<Int16>) -> SIMD4<Int32> {
        #if arch(x86_64)
            unsafeBitCast(
                _mm_madd_epi16(unsafeBitCast(x, to: __m128i.self), unsafeBitCast(w, to: __m128i.self)),
                to: SIMD4<Int32>.self)
        #else
            let products = SIMD8<Int32>(truncatingIfNeeded: x) &* SIMD8<Int32>(truncatingIfNeeded: w)
            return products.evenHalf &+ products.oddHalf
        #endif
    }

    /// The plain triple loop the tests compare the kernel against.
    static func reference(_ a: [Int8], _ b: [Int8], m: Int, n: Int, k: Int) -> [Int32] {
        var c = [Int32](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Int32 = 0
                for p in 0..<k { sum += Int32(a[i * k + p]) * Int32(b[j * k + p]) }
                c[i * n + j] = sum
            }
        }
        return c
    }
}
