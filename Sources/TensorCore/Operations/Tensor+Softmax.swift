// Tensor+Softmax: numerically stable softmax and log-softmax along one axis.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Tensor {
    /// `softmax(x)ᵢ = exp(xᵢ − m) / Σⱼ exp(xⱼ − m)` along `axis`, with `m` the maximum (so nothing overflows).
    ///
    /// - Shape: unchanged.
    /// - Gradient: `y ⊙ (g − Σ g ⊙ y)` along the axis.
    public func softmax(alongAxis axis: Int = -1) throws(TensorError) -> Tensor {
        let axis = try normalized(axis: axis, operation: "softmax")
        let output = softmaxKernel(axis: axis, logarithmic: false)
        let saved = Tensor(shape: shape, storage: output)
        return Tensor(result: output, shape: shape, operation: .softmax(axis: axis, output: saved), inputs: [self])
    }

    /// `log softmax(x) = x − m − log Σ exp(x − m)` along `axis`.
    ///
    /// - Shape: unchanged.
    /// - Gradient: `g − softmax(x) · Σ g` along the axis.
    public func logSoftmax(alongAxis axis: Int = -1) throws(TensorError) -> Tensor {
        let axis = try normalized(axis: axis, operation: "logSoftmax")
        let output = softmaxKernel(axis: axis, logarithmic: true)
        let saved = Tensor(shape: shape, storage: output)
        return Tensor(result: output, shape: shape, operation: .logSoftmax(axis: axis, output: saved), inputs: [self])
    }

    func softmaxKernel(axis: Int, logarithmic: Bool) -> TensorStorage {
        let outer = Self.count(of: shape[..<axis])
        let extent = shape[axis]
        let inner = Self.count(of: shape[(axis + 1)...])
        let output = TensorStorage(uninitializedCount: scalarCount)
        let input = storage.pointer
        let destination = output.pointer
        if inner == 1 {
            // Rows are contiguous: shift, exponentiate sixteen lanes at a time, normalize.
            for o in 0..<outer {
                let x = input + o * extent
                let y = destination + o * extent
                var maximum = -Float.infinity
                for k in 0..<extent { maximum = Swift.max(maximum, x[k]) }
                if !maximum.isFinite { maximum = 0 }
                for k in 0..<extent { y[k] = x[k] - maximum }
                VectorMath.map(y, y, count: extent, VectorMath.exp)
                let total = ReductionKernel.contiguousSum(y, count: extent)
                if logarithmic {
                    let shift = maximum + logf(total)
                    for k in 0..<extent { y[k] = x[k] - shift }
                } else {
                    let scale = 1 / total
                    for k in 0..<extent { y[k] *= scale }
                }
            }
            return output
        }
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * extent * inner + i
                var maximum = -Float.infinity
                for k in 0..<extent { maximum = Swift.max(maximum, input[base + k * inner]) }
                if !maximum.isFinite { maximum = 0 }
                var total: Float = 0
                for k in 0..<extent {
                    let e = expf(input[base + k * inner] - maximum)
                    destination[base + k * inner] = e
                    total += e
                }
                if logarithmic {
                    let shift = maximum + logf(total)
                    for k in 0..<extent { destination[base + k * inner] = input[base + k * inner] - shift }
                } else {
                    let scale = 1 / total
                    for k in 0..<extent { destination[base + k * inner] *= scale }
                }
            }
        }
        return output
    }
}
