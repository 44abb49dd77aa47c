// Tensor+MatMul: matrix and batched matrix products through cblas_sgemm (transposes are flags, not copies).

import CBLAS

extension Tensor {
    /// The matrix product `op(a) · op(b)`, where `op` transposes the last two axes when its flag is set.
    ///
    /// Leading (batch) axes broadcast like NumPy's `matmul`; a rank-1 operand is a row (for `a`) or column (for `b`)
    /// vector whose axis is dropped from the result. Every product is one `cblas_sgemm` call per batch entry, and a
    /// batch of `a` against a single matrix `b` is folded into one call.
    ///
    /// - Shape: `[..., m, k] × [..., k, n] → [..., m, n]` (with the flags, `a` is `[..., k, m]`, `b` is `[..., n, k]`).
    /// - Gradient: `dA = dC · Bᵀ`, `dB = Aᵀ · dC` (with the flags folded in), summed over broadcast batch axes.
    public static func matmul(
        _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
    )
        throws(TensorError) -> Tensor
    {
        guard a.rank >= 1 && b.rank >= 1 else {
            throw TensorError("matmul", shapes: [a.shape, b.shape], "operands must have rank 1 or more")
        }
        if a.rank == 1 {
            let product = try matmul(a.reshaped(to: [1, a.shape[0]]), b, transposeB: transposeB)
            return try product.squeezed(axis: -2)
        }
        if b.rank == 1 {
            let product = try matmul(a, b.reshaped(to: [b.shape[0], 1]), transposeA: transposeA)
            return try product.squeezed(axis: -1)
        }
        let m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
        let k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let kB = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
        let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        guard k == kB else {
            throw TensorError("matmul", shapes: [a.shape, b.shape], "inner dimensions \(k) and \(kB) differ")
        }
        let batchA = Array(a.shape.dropLast(2))
        let batchB = Array(b.shape.dropLast(2))
        let batch = try broadcastShape(batchA, batchB, operation: "matmul")
        let outputShape = batch + [m, n]
        try reserve(outputShape, operation: "matmul", operands: [a.shape, b.shape])
        let output = TensorStorage(uninitializedCount: count(of: outputShape))
        let operation = Operation.matmul(transposeA: transposeA, transposeB: transposeB)
        if m == 0 || n == 0 {
            return Tensor(result: output, shape: outputShape, operation: operation, inputs: [a, b])
        }
        if k == 0 {
            output.pointer.update(repeating: 0, count: output.count)
            return Tensor(result: output, shape: outputShape, operation: operation, inputs: [a, b])
        }
        let pointerA = a.storage.pointer
        let pointerB = b.storage.pointer
        if batchB.isEmpty && !transposeA {
            // [batch..., m, k] · [k, n] is one [batch·m, k] · [k, n] product.
            gemm(
                pointerA, pointerB, output.pointer, m: count(of: batch) * m, n: n, k: k,
                transposeA: false, transposeB: transposeB)
        } else {
            let batchCount = count(of: batch)
            let stridesA = broadcastStrides(of: batchA, to: batch)
            let stridesB = broadcastStrides(of: batchB, to: batch)
            let matrixA = m * k
            let matrixB = k * n
            var index = [Int](repeating: 0, count: batch.count)
            for entry in 0..<batchCount {
                var offsetA = 0
                var offsetB = 0
                for axis in batch.indices {
                    offsetA += index[axis] * stridesA[axis]
                    offsetB += index[axis] * stridesB[axis]
                }
                gemm(
                    pointerA + offsetA * matrixA, pointerB + offsetB * matrixB, output.pointer + entry * m * n,
                    m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
                var axis = batch.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < batch[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        return Tensor(
            result: output, shape: outputShape, operation: operation, inputs: [a, b],
            tracked: a.node != nil || b.node != nil)
    }

    /// `self · other`; see ``matmul(_:_:transposeA:transposeB:)``.
    public func matmul(_ other: Tensor) throws(TensorError) -> Tensor { try Self.matmul(self, other) }

    /// `C = op(A) · op(B)` for row-major, densely stored matrices.
    static func gemm(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, accumulate: Bool = false
    ) {
        // BLAS rejects zero leading dimensions (it would print an error and do nothing); empty products are ours.
        _ = BLASBackend.configureOnce
        guard m > 0 && n > 0 else { return }
        guard k > 0 else {
            if !accumulate { c.update(repeating: 0, count: m * n) }
            return
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), 1, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
            accumulate ? 1 : 0, c, Int32(n))
    }
}
