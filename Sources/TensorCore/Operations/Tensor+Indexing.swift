// Tensor+Indexing: gather, index-select and embedding lookup with integer index tensors.

extension Tensor {
    /// Picks whole slices along `axis` (NumPy `take`, PyTorch `index_select`): `result[..., i, ...] =
    /// self[..., indices[i], ...]`, for a multi-dimensional `indices` too.
    ///
    /// - Shape: `shape[..<axis] + indices.shape + shape[(axis+1)...]`.
    /// - Gradient: rows added back at their indices (repeated indices accumulate).
    public func indexSelect(_ indices: IndexTensor, alongAxis axis: Int = 0) throws(TensorError) -> Tensor {
        let axis = try normalized(axis: axis, operation: "indexSelect")
        try indices.validate(below: shape[axis], operation: "indexSelect", shapes: [shape, indices.shape])
        let outer = Self.count(of: shape[..<axis])
        let extent = shape[axis]
        let inner = Self.count(of: shape[(axis + 1)...])
        let target = Array(shape[..<axis]) + indices.shape + Array(shape[(axis + 1)...])
        try Self.reserve(target, operation: "indexSelect", operands: [shape, indices.shape])
        let output = TensorStorage(uninitializedCount: Self.count(of: target))
        var destination = output.pointer
        for o in 0..<outer {
            let block = storage.pointer + o * extent * inner
            for index in indices.indices {
                destination.update(from: block + index * inner, count: inner)
                destination += inner
            }
        }
        return Tensor(
            result: output, shape: target, operation: .indexSelect(axis: axis, indices: indices), inputs: [self])
    }

    /// An embedding lookup: row `indices[...]` of the `[vocabulary, dimension]` table `self`.
    ///
    /// - Shape: `indices.shape + [dimension]`. - Gradient: accumulated into the looked-up rows.
    public func embedding(_ indices: IndexTensor) throws(TensorError) -> Tensor {
        guard rank == 2 else {
            throw TensorError("embedding", shapes: [shape, indices.shape], "the table must be [vocabulary, dimension]")
        }
        return try indexSelect(indices, alongAxis: 0)
    }

    /// PyTorch `gather`: `result[i][j][k] = self[i][indices[i][j][k]][k]` for `axis == 1`, and likewise for any axis.
    ///
    /// - Shape: `indices.shape`, which must equal `shape` except along `axis`.
    /// - Gradient: scattered back (added) to the gathered positions.
    public func gather(_ indices: IndexTensor, alongAxis axis: Int) throws(TensorError) -> Tensor {
        let axis = try normalized(axis: axis, operation: "gather")
        var expected = shape
        if indices.rank == rank { expected[axis] = indices.shape[axis] }
        guard indices.shape == expected else {
            throw TensorError(
                "gather", shapes: [shape, indices.shape], "indices must match the shape except along axis \(axis)")
        }
        try indices.validate(below: shape[axis], operation: "gather", shapes: [shape, indices.shape])
        let outer = Self.count(of: shape[..<axis])
        let extent = shape[axis]
        let picked = indices.shape[axis]
        let inner = Self.count(of: shape[(axis + 1)...])
        let output = TensorStorage(uninitializedCount: indices.count)
        for o in 0..<outer {
            for p in 0..<picked {
                for i in 0..<inner {
                    let position = (o * picked + p) * inner + i
                    output.pointer[position] = storage.pointer[(o * extent + indices.indices[position]) * inner + i]
                }
            }
        }
        return Tensor(
            result: output, shape: indices.shape, operation: .gather(axis: axis, indices: indices), inputs: [self])
    }
}
