// Tensor+Reduction: sums, means, extrema, arg-extrema, variance, logsumexp over any axes, with keepdims.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Tensor {
    /// Validates axes (negative ones count from the end) and returns them sorted, without duplicates.
    func normalized(axes: [Int], operation: String) throws(TensorError) -> [Int] {
        var result: [Int] = []
        for axis in axes {
            let normalized = axis < 0 ? axis + rank : axis
            guard normalized >= 0 && normalized < rank else {
                throw TensorError(operation, shapes: [shape], "axis \(axis) is out of range for rank \(rank)")
            }
            if !result.contains(normalized) { result.append(normalized) }
        }
        return result.sorted()
    }

    func normalized(axis: Int, operation: String) throws(TensorError) -> Int {
        try normalized(axes: [axis], operation: operation)[0]
    }

    /// The shape with the reduced axes set to 1 (keepdims) or removed.
    static func reducedShape(_ shape: [Int], axes: [Int], keepingDimensions: Bool) -> [Int] {
        var result: [Int] = []
        for (axis, extent) in shape.enumerated() {
            if axes.contains(axis) {
                if keepingDimensions { result.append(1) }
            } else {
                result.append(extent)
            }
        }
        return result
    }

    /// Reduces `axes` (sorted, valid) with a kernel over the `[outer, n, inner]` view of each run of adjacent axes.
    private func reduce(
        axes: [Int], kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int, Int) -> Void
    ) -> TensorStorage {
        var currentShape = shape
        var current = storage
        var index = 0
        while index < axes.count {
            // Merge a run of adjacent axes into one.
            var end = index
            while end + 1 < axes.count && axes[end + 1] == axes[end] + 1 { end += 1 }
            let first = axes[index]
            let last = axes[end]
            let outer = Self.count(of: currentShape[..<first])
            let extent = Self.count(of: currentShape[first...last])
            let inner = Self.count(of: currentShape[(last + 1)...])
            let output = TensorStorage(uninitializedCount: outer * inner)
            kernel(current.pointer, output.pointer, outer, extent, inner)
            for axis in first...last { currentShape[axis] = 1 }
            current = output
            index = end + 1
        }
        return current
    }

    /// Σ over `axes` (all axes when empty).
    ///
    /// - Shape: the input shape with `axes` removed, or set to 1 with `keepingDimensions`.
    /// - Gradient: the output gradient broadcast back over the reduced axes.
    public func sum(alongAxes axes: [Int] = [], keepingDimensions: Bool = false) throws(TensorError) -> Tensor {
        let axes = try normalized(axes: axes.isEmpty ? Array(0..<rank) : axes, operation: "sum")
        let outputShape = Self.reducedShape(shape, axes: axes, keepingDimensions: keepingDimensions)
        if axes.isEmpty { return try reshaped(to: outputShape) }
        let output = reduce(axes: axes, kernel: ReductionKernel.sum)
        return Tensor(result: output, shape: outputShape, operation: .sum(axes: axes), inputs: [self])
    }

    /// Σ over all axes. - Shape: `[]`.
    public func sum() -> Tensor {
        let output = reduce(axes: rank == 0 ? [] : Array(0..<rank), kernel: ReductionKernel.sum)
        if rank == 0 { return self }
        return Tensor(result: output, shape: [], operation: .sum(axes: Array(0..<rank)), inputs: [self])
    }

    /// The arithmetic mean over `axes` (all axes when empty).
    ///
    /// - Shape: as ``sum(alongAxes:keepingDimensions:)``.
    public func mean(alongAxes axes: [Int] = [], keepingDimensions: Bool = false) throws(TensorError) -> Tensor {
        let axes = try normalized(axes: axes.isEmpty ? Array(0..<rank) : axes, operation: "mean")
        let count = axes.reduce(1) { $0 * shape[$1] }
        return try sum(alongAxes: axes, keepingDimensions: keepingDimensions) * (1 / Float(Swift.max(count, 1)))
    }

    /// The mean of all scalars. - Shape: `[]`.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(scalarCount, 1))) }

    private func extremum(
        axes: [Int], keepingDimensions: Bool, isMaximum: Bool, name: String
    ) throws(TensorError)
        -> Tensor
    {
        let axes = try normalized(axes: axes.isEmpty ? Array(0..<rank) : axes, operation: name)
        guard scalarCount > 0 else { throw TensorError(name, shapes: [shape], "cannot reduce an empty tensor") }
        let keptShape = Self.reducedShape(shape, axes: axes, keepingDimensions: true)
        let outputShape = Self.reducedShape(shape, axes: axes, keepingDimensions: keepingDimensions)
        let output = reduce(axes: axes, kernel: isMaximum ? ReductionKernel.maximum : ReductionKernel.minimum)
        let kept = Tensor(shape: keptShape, storage: output)
        return Tensor(
            result: output, shape: outputShape, operation: .extremum(axes: axes, output: kept), inputs: [self])
    }

    /// The maximum over `axes` (all axes when empty).
    ///
    /// - Shape: as ``sum(alongAxes:keepingDimensions:)``. - Gradient: shared equally among tied maxima.
    public func max(alongAxes axes: [Int] = [], keepingDimensions: Bool = false) throws(TensorError) -> Tensor {
        try extremum(axes: axes, keepingDimensions: keepingDimensions, isMaximum: true, name: "max")
    }

    /// The minimum over `axes` (all axes when empty).
    ///
    /// - Shape: as ``sum(alongAxes:keepingDimensions:)``. - Gradient: shared equally among tied minima.
    public func min(alongAxes axes: [Int] = [], keepingDimensions: Bool = false) throws(TensorError) -> Tensor {
        try extremum(axes: axes, keepingDimensions: keepingDimensions, isMaximum: false, name: "min")
    }

    private func argExtremum(axis: Int, isMaximum: Bool, name: String) throws(TensorError) -> IndexTensor {
        let axis = try normalized(axis: axis, operation: name)
        guard shape[axis] > 0 else { throw TensorError(name, shapes: [shape], "cannot reduce an empty axis") }
        let outer = Self.count(of: shape[..<axis])
        let extent = shape[axis]
        let inner = Self.count(of: shape[(axis + 1)...])
        var result = [Int](repeating: 0, count: outer * inner)
        let pointer = storage.pointer
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * extent * inner + i
                var best = pointer[base]
                var bestIndex = 0
                for k in 1..<Swift.max(extent, 1) {
                    let value = pointer[base + k * inner]
                    if isMaximum
                        ? (value > best || (value.isNaN && !best.isNaN))
                        : (value < best || (value.isNaN && !best.isNaN))
                    {
                        best = value
                        bestIndex = k
                    }
                }
                result[o * inner + i] = bestIndex
            }
        }
        return try IndexTensor(shape: Self.reducedShape(shape, axes: [axis], keepingDimensions: false), indices: result)
    }

    /// The index of the maximum along `axis` (the first on ties). - Shape: the input shape without `axis`.
    public func argmax(alongAxis axis: Int) throws(TensorError) -> IndexTensor {
        try argExtremum(axis: axis, isMaximum: true, name: "argmax")
    }

    /// The index of the minimum along `axis` (the first on ties). - Shape: the input shape without `axis`.
    public func argmin(alongAxis axis: Int) throws(TensorError) -> IndexTensor {
        try argExtremum(axis: axis, isMaximum: false, name: "argmin")
    }

    /// `Σ (x − mean)² / (n − correction)` over `axes` (all when empty); `correction: 1` gives the unbiased estimate.
    ///
    /// - Shape: as ``sum(alongAxes:keepingDimensions:)``.
    public func variance(
        alongAxes axes: [Int] = [], keepingDimensions: Bool = false, correction: Int = 0
    )
        throws(TensorError) -> Tensor
    {
        let axes = try normalized(axes: axes.isEmpty ? Array(0..<rank) : axes, operation: "variance")
        let count = axes.reduce(1) { $0 * shape[$1] }
        let centered = try self - mean(alongAxes: axes, keepingDimensions: true)
        let total = try centered.squared().sum(alongAxes: axes, keepingDimensions: keepingDimensions)
        return total * (1 / Float(Swift.max(count - correction, 1)))
    }

    /// The square root of ``variance(alongAxes:keepingDimensions:correction:)``.
    public func standardDeviation(
        alongAxes axes: [Int] = [], keepingDimensions: Bool = false, correction: Int = 0
    )
        throws(TensorError) -> Tensor
    {
        try variance(alongAxes: axes, keepingDimensions: keepingDimensions, correction: correction).squareRoot()
    }

    /// `log Σ exp(x)` over `axes`, computed stably as `m + log Σ exp(x − m)` with `m` the (constant) maximum.
    ///
    /// - Shape: as ``sum(alongAxes:keepingDimensions:)``. - Gradient: `softmax(x)` over the axes.
    public func logSumExp(alongAxes axes: [Int] = [], keepingDimensions: Bool = false) throws(TensorError) -> Tensor {
        let axes = try normalized(axes: axes.isEmpty ? Array(0..<rank) : axes, operation: "logSumExp")
        var shift = try detached().max(alongAxes: axes, keepingDimensions: true)
        shift = noGrad { Self.select(finiteOr: 0, shift) }
        let total = try (self - shift).exp().sum(alongAxes: axes, keepingDimensions: true).log() + shift
        return keepingDimensions
            ? total : try total.reshaped(to: Self.reducedShape(shape, axes: axes, keepingDimensions: false))
    }

    /// Replaces non-finite scalars by `value` (used to keep an all −∞ row from producing NaN).
    private static func select(finiteOr value: Float, _ x: Tensor) -> Tensor {
        Tensor(shape: x.shape, storage: ElementwiseKernel.map(x.storage) { $0.isFinite ? $0 : value })
    }
}

/// Kernels over the `[outer, n, inner]` view: reduce the middle axis.
enum ReductionKernel {
    static func sum(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int
    ) {
        if inner == 1 {
            for o in 0..<outer { output[o] = contiguousSum(input + o * n, count: n) }
            return
        }
        if n == 0 {
            output.update(repeating: 0, count: outer * inner)
            return
        }
        for o in 0..<outer {
            let destination = output + o * inner
            let source = input + o * n * inner
            destination.update(from: source, count: inner)
            for k in 1..<n {
                let row = source + k * inner
                for i in 0..<inner { destination[i] += row[i] }
            }
        }
    }

    /// A vectorized sum: sixteen independent lanes, then a horizontal add.
    static func contiguousSum(_ pointer: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD16<Float>()
        var index = 0
        let raw = UnsafeRawPointer(pointer)
        while index + 16 <= count {
            lanes += raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self)
            index += 16
        }
        var total = lanes.sum()
        while index < count {
            total += pointer[index]
            index += 1
        }
        return total
    }

    static func maximum(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int
    ) {
        extremum(input, output, outer: outer, n: n, inner: inner) { $0 > $1 || $0.isNaN }
    }

    static func minimum(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int
    ) {
        extremum(input, output, outer: outer, n: n, inner: inner) { $0 < $1 || $0.isNaN }
    }

    @inline(__always)
    private static func extremum(
        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, outer: Int, n: Int, inner: Int,
        _ better: (Float, Float) -> Bool
    ) {
        for o in 0..<outer {
            let destination = output + o * inner
            let source = input + o * n * inner
            destination.update(from: source, count: inner)
            for k in 1..<Swift.max(n, 1) {
                let row = source + k * inner
                for i in 0..<inner where better(row[i], destination[i]) { destination[i] = row[i] }
            }
        }
    }
}
