// Int8GEMM: the int8 × int8 → int32 matrix product quantized layers run (OpenBLAS has no integer GEMM).

/// `C[i, j] = Σₚ A[i, p] · B[j, p]` in int32, for int8 `A` `[m, k]` (activations) and int8 `B` `[n, k]` (weights in
/// PyTorch's `[out, in]` layout), both row-major with rows padded to a multiple of 16 with zeros.
///
/// The kernel takes 16 bytes of `k` at a time: it widens them to `Int16`, multiplies lane-wise (|a·b| ≤ 128·127 fits
/// in 16 bits), and adds each even/odd pair of products into an `Int32` lane (≤ 32,512, so the pair cannot overflow
/// either): the shape of SSE2's `pmaddwd`, which LLVM selects for it. Blocking: four rows of `B` (a few KiB, resident
/// in L1) are reused against every row of `A` before the next four are loaded, so each weight byte is read from
/// memory once per call, and each activation row once per four outputs.
enum Int8GEMM {
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
        let chunks = rowLength / 16
        var j = 0
        while j + 4 <= n {
            let b0 = UnsafeRawPointer(b + j * rowLength)
            let b1 = b0 + rowLength
            let b2 = b1 + rowLength
            let b3 = b2 + rowLength
            for i in 0..<m {
                let row = UnsafeRawPointer(a + i * rowLength)
                var s0 = SIMD8<Int32>()
                var s1 = SIMD8<Int32>()
                var s2 = SIMD8<Int32>()
                var s3 = SIMD8<Int32>()
                for chunk in 0..<chunks {
                    let offset = chunk * 16
                    let x = SIMD16<Int16>(
                        truncatingIfNeeded: row.loadUnaligned(fromByteOffset: offset, as: SIMD16<Int8>.self))
                    s0 &+= pairSums(x, b0, offset)
                    s1 &+= pairSums(x, b1, offset)
                    s2 &+= pairSums(x, b2, offset)
                    s3 &+= pairSums(x, b3, offset)
                }
                let out = c + i * n + j
                out[0] = s0.wrappedSum()
                out[1] = s1.wrappedSum()
                out[2] = s2.wrappedSum()
                out[3] = s3.wrappedSum()
            }
            j += 4
        }
        while j < n {
            let weights = UnsafeRawPointer(b + j * rowLength)
            for i in 0..<m {
                let row = UnsafeRawPointer(a + i * rowLength)
                var sum = SIMD8<Int32>()
                for chunk in 0..<chunks {
                    let offset = chunk * 16
                    let x = SIMD16<Int16>(
                        truncatingIfNeeded: row.loadUnaligned(fromByteOffset: offset, as: SIMD16<Int8>.self))
                    sum &+= pairSums(x, weights, offset)
                }
                c[i * n + j] = sum.wrappedSum()
            }
            j += 1
        }
    }

    /// The eight sums of adjacent products `x[2l]·w[2l] + x[2l+1]·w[2l+1]` of 16 lanes (SSE2's `pmaddwd`).
    @inline(__always)
    private static func pairSums(_ x: SIMD16<Int16>, _ weights: UnsafeRawPointer, _ offset: Int) -> SIMD8<Int32> {
        let w = SIMD16<Int16>(truncatingIfNeeded: weights.loadUnaligned(fromByteOffset: offset, as: SIMD16<Int8>.self))
        let products = x &* w
        return SIMD8<Int32>(truncatingIfNeeded: products.evenHalf) &+ SIMD8<Int32>(truncatingIfNeeded: products.oddHalf)
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
