// Tensor+Movement: reshape, flatten, permute/transpose, squeeze/unsqueeze, slicing with steps, concatenate, stack,
// split, pad and repeat.

extension Tensor {
    /// The same scalars with another shape; one extent may be −1 (inferred). Shares storage: no copy.
    ///
    /// - Shape: `shape`, whose product must equal `scalarCount`.
    public func reshaped(to shape: [Int]) throws(TensorError) -> Tensor {
        var target = shape
        let unknown = shape.indices.filter { shape[$0] == -1 }
        guard unknown.count <= 1, shape.allSatisfy({ $0 >= -1 }) else {
            throw TensorError("reshape", shapes: [self.shape, shape], "at most one extent may be −1, none below it")
        }
        if let axis = unknown.first {
            guard let known = MemoryBudget.scalarCount(of: shape.filter { $0 != -1 }),
                known > 0 && scalarCount % known == 0
            else {
                throw TensorError("reshape", shapes: [self.shape, shape], "cannot infer the −1 extent")
            }
            target[axis] = scalarCount / known
        }
        guard let targetCount = MemoryBudget.scalarCount(of: target) else {
            try MemoryBudget.check(count: nil, operation: "reshape", shapes: [self.shape, shape])
            return self  // not reached: the check throws for an overflowing count
        }
        guard targetCount == scalarCount else {
            throw TensorError(
                "reshape", shapes: [self.shape, shape], "\(scalarCount) scalars do not fit \(targetCount) elements")
        }
        if target == self.shape { return self }
        return Tensor(result: storage, shape: target, operation: .reshape, inputs: [self])
    }

    /// Merges axes `startAxis...endAxis` into one (PyTorch `flatten`).
    ///
    /// - Shape: `[2, 3, 4, 5].flattened(from: 1)` is `[2, 60]`.
    public func flattened(from startAxis: Int = 0, through endAxis: Int = -1) throws(TensorError) -> Tensor {
        if rank == 0 { return try reshaped(to: [1]) }
        let start = try normalized(axis: startAxis, operation: "flatten")
        let end = try normalized(axis: endAxis, operation: "flatten")
        guard start <= end else {
            throw TensorError("flatten", shapes: [shape], "start axis \(startAxis) is after end axis \(endAxis)")
        }
        let merged = Self.count(of: shape[start...end])
        return try reshaped(to: Array(shape[..<start]) + [merged] + Array(shape[(end + 1)...]))
    }

    /// Reorders the axes: axis `i` of the result is axis `axes[i]` of `self`. Copies.
    ///
    /// - Shape: `axes.map { shape[$0] }`. - Gradient: the inverse permutation.
    public func permuted(_ axes: [Int]) throws(TensorError) -> Tensor {
        let normalized = axes.map { $0 < 0 ? $0 + rank : $0 }
        guard normalized.count == rank, Set(normalized) == Set(0..<rank) else {
            throw TensorError("permute", shapes: [shape], "\(axes) is not a permutation of 0..<\(rank)")
        }
        if normalized == Array(0..<rank) { return self }
        let strides = Self.contiguousStrides(of: shape)
        let view = StridedView(offset: 0, shape: normalized.map { shape[$0] }, strides: normalized.map { strides[$0] })
        return Tensor(
            result: view.copy(from: storage), shape: view.shape, operation: .permute(axes: normalized), inputs: [self])
    }

    /// Swaps two axes (by default the last two: the matrix transpose). Copies.
    ///
    /// - Shape: `[..., m, n] → [..., n, m]`.
    public func transposed(_ first: Int = -2, _ second: Int = -1) throws(TensorError) -> Tensor {
        guard rank >= 2 else { throw TensorError("transpose", shapes: [shape], "needs rank 2 or more") }
        let a = try normalized(axis: first, operation: "transpose")
        let b = try normalized(axis: second, operation: "transpose")
        var axes = Array(0..<rank)
        axes.swapAt(a, b)
        return try permuted(axes)
    }

    /// Removes an axis of extent 1. - Shape: `[2, 1, 3].squeezed(axis: 1)` is `[2, 3]`.
    public func squeezed(axis: Int) throws(TensorError) -> Tensor {
        let axis = try normalized(axis: axis, operation: "squeeze")
        guard shape[axis] == 1 else {
            throw TensorError("squeeze", shapes: [shape], "axis \(axis) has extent \(shape[axis]), not 1")
        }
        var target = shape
        target.remove(at: axis)
        return try reshaped(to: target)
    }

    /// Removes every axis of extent 1. - Shape: `[1, 3, 1]` → `[3]`.
    public func squeezed() throws(TensorError) -> Tensor { try reshaped(to: shape.filter { $0 != 1 }) }

    /// Inserts an axis of extent 1 at `axis` (which may be `rank`). - Shape: `[2, 3].unsqueezed(at: 1)` is `[2, 1, 3]`.
    public func unsqueezed(at axis: Int) throws(TensorError) -> Tensor {
        let position = axis < 0 ? axis + rank + 1 : axis
        guard position >= 0 && position <= rank else {
            throw TensorError("unsqueeze", shapes: [shape], "axis \(axis) is out of range for rank \(rank)")
        }
        var target = shape
        target.insert(1, at: position)
        return try reshaped(to: target)
    }

    /// Elements `start, start + step, …` below `end` along `axis` (Python slicing: negative bounds count from the
    /// end, bounds are clamped; `step` ≥ 1). Copies.
    ///
    /// - Shape: `shape` with `shape[axis] = ⌈(end − start) / step⌉`. - Gradient: scattered back, zeros elsewhere.
    public func sliced(
        alongAxis axis: Int, from start: Int = 0, to end: Int? = nil, step: Int = 1
    )
        throws(TensorError) -> Tensor
    {
        let axis = try normalized(axis: axis, operation: "slice")
        guard step >= 1 else { throw TensorError("slice", shapes: [shape], "step must be 1 or more, not \(step)") }
        let extent = shape[axis]
        func clamp(_ bound: Int) -> Int { Swift.min(Swift.max(bound < 0 ? bound + extent : bound, 0), extent) }
        let lower = clamp(start)
        let upper = clamp(end ?? extent)
        let count = upper > lower ? (upper - lower + step - 1) / step : 0
        var strides = Self.contiguousStrides(of: shape)
        var target = shape
        target[axis] = count
        let offset = lower * strides[axis]
        strides[axis] *= step
        let view = StridedView(offset: offset, shape: target, strides: strides)
        if view.shape == shape { return self }
        return Tensor(result: view.copy(from: storage), shape: target, operation: .view(view), inputs: [self])
    }

    /// Joins tensors along an existing axis; all other extents must match.
    ///
    /// - Shape: `[2, 3] ++ [4, 3]` along 0 is `[6, 3]`. - Gradient: split back.
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int = 0) throws(TensorError) -> Tensor {
        guard let first = tensors.first else {
            throw TensorError("concatenate", shapes: [], "needs at least one tensor")
        }
        let axis = try first.normalized(axis: axis, operation: "concatenate")
        for tensor in tensors {
            var expected = first.shape
            guard tensor.rank == first.rank else {
                throw TensorError("concatenate", shapes: tensors.map(\.shape), "ranks differ")
            }
            expected[axis] = tensor.shape[axis]
            guard tensor.shape == expected else {
                throw TensorError(
                    "concatenate", shapes: tensors.map(\.shape), "extents differ outside axis \(axis)")
            }
        }
        var target = first.shape
        target[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let outer = count(of: first.shape[..<axis])
        let inner = count(of: first.shape[(axis + 1)...])
        try reserve(target, operation: "concatenate", operands: tensors.count <= 8 ? tensors.map(\.shape) : [target])
        let output = TensorStorage(uninitializedCount: count(of: target))
        let rowLength = target[axis] * inner
        var column = 0
        for tensor in tensors {
            let block = tensor.shape[axis] * inner
            for o in 0..<outer {
                (output.pointer + o * rowLength + column).update(from: tensor.storage.pointer + o * block, count: block)
            }
            column += block
        }
        return Tensor(result: output, shape: target, operation: .concatenate(axis: axis), inputs: tensors)
    }

    /// Stacks same-shaped tensors along a new axis. - Shape: `n` tensors of `[a, b]` along 0 give `[n, a, b]`.
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) throws(TensorError) -> Tensor {
        guard let first = tensors.first else { throw TensorError("stack", shapes: [], "needs at least one tensor") }
        guard tensors.allSatisfy({ $0.shape == first.shape }) else {
            throw TensorError("stack", shapes: tensors.map(\.shape), "all tensors must have the same shape")
        }
        var expanded: [Tensor] = []
        for tensor in tensors { expanded.append(try tensor.unsqueezed(at: axis)) }
        return try concatenate(expanded, alongAxis: axis)
    }

    /// Splits along `axis` into pieces of the given extents, which must add up to the axis extent.
    ///
    /// - Shape: `[6, 3].split(sizes: [2, 4])` gives `[2, 3]` and `[4, 3]`.
    public func split(sizes: [Int], alongAxis axis: Int = 0) throws(TensorError) -> [Tensor] {
        let axis = try normalized(axis: axis, operation: "split")
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[axis] else {
            throw TensorError("split", shapes: [shape], "sizes \(sizes) do not add up to extent \(shape[axis])")
        }
        var pieces: [Tensor] = []
        var start = 0
        for size in sizes {
            pieces.append(try sliced(alongAxis: axis, from: start, to: start + size))
            start += size
        }
        return pieces
    }

    /// Splits along `axis` into `count` equal pieces.
    public func split(count: Int, alongAxis axis: Int = 0) throws(TensorError) -> [Tensor] {
        let normalizedAxis = try normalized(axis: axis, operation: "split")
        guard count > 0 && shape[normalizedAxis] % count == 0 else {
            throw TensorError("split", shapes: [shape], "extent \(shape[normalizedAxis]) is not divisible by \(count)")
        }
        // An empty axis splits into any number of empty pieces: each is a tensor, so check how many.
        try MemoryBudget.check(
            count: count, scalarBytes: MemoryLayout<Tensor>.stride + MemoryLayout<Int>.stride, operation: "split",
            shapes: [shape])
        return try split(
            sizes: Array(repeating: shape[normalizedAxis] / count, count: count), alongAxis: normalizedAxis)
    }

    /// Pads with a constant: `widths[i] = (before, after)` for axis `i`; missing trailing axes are not padded.
    ///
    /// - Shape: each extent grows by `before + after`. - Gradient: the unpadded slice.
    public func padded(_ widths: [(before: Int, after: Int)], value: Float = 0) throws(TensorError) -> Tensor {
        guard widths.count <= rank, widths.allSatisfy({ $0.before >= 0 && $0.after >= 0 }) else {
            throw TensorError("pad", shapes: [shape], "needs at most \(rank) non-negative (before, after) widths")
        }
        var target = shape
        var offsets = [Int](repeating: 0, count: rank)
        for (axis, width) in widths.enumerated() {
            let (grown, overflow) = target[axis].addingReportingOverflow(width.before &+ width.after)
            guard !overflow && width.before &+ width.after >= 0 else {
                try MemoryBudget.check(count: nil, operation: "pad", shapes: [shape])
                return self  // not reached: the check throws for an overflowing count
            }
            target[axis] = grown
            offsets[axis] = width.before
        }
        try Self.reserve(target, operation: "pad", operands: [shape])
        let output = TensorStorage(repeating: value, count: Self.count(of: target))
        let strides = Self.contiguousStrides(of: target)
        let offset = zip(offsets, strides).reduce(0) { $0 + $1.0 * $1.1 }
        let view = StridedView(offset: offset, shape: shape, strides: strides)
        view.assign(storage, into: output)
        return Tensor(result: output, shape: target, operation: .pad(view), inputs: [self])
    }

    /// Tiles the tensor `counts[i]` times along axis `i` (NumPy `tile`; PyTorch `repeat`).
    ///
    /// - Shape: each extent is multiplied by its count. - Gradient: summed over the copies.
    public func repeated(_ counts: [Int]) throws(TensorError) -> Tensor {
        guard counts.count == rank, counts.allSatisfy({ $0 >= 1 }) else {
            throw TensorError("repeat", shapes: [shape], "needs one count ≥ 1 per axis, got \(counts)")
        }
        // [a, b] → [1, a, 1, b] → expand to [ca, a, cb, b] → reshape to [ca·a, cb·b].
        var interleaved: [Int] = []
        var expandedShape: [Int] = []
        for (extent, count) in zip(shape, counts) {
            interleaved += [1, extent]
            expandedShape += [count, extent]
        }
        return try reshaped(to: interleaved).expanded(to: expandedShape).reshaped(
            to: zip(shape, counts).map { $0 * $1 })
    }
}
