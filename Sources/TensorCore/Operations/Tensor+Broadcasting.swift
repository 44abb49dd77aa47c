// Tensor+Broadcasting: NumPy broadcasting rules, `expanded(to:)`, and the reduction a gradient needs to undo them.

extension Tensor {
    /// The shape two operands broadcast to, NumPy-style: align shapes at the right; each pair of extents must be
    /// equal or one of them 1; missing leading axes count as 1.
    public static func broadcastShape(
        _ a: [Int], _ b: [Int], operation: String = "broadcast"
    ) throws(TensorError)
        -> [Int]
    {
        let rank = Swift.max(a.count, b.count)
        var shape = [Int](repeating: 1, count: rank)
        for axis in 0..<rank {
            let extentA = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
            let extentB = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
            if extentA == extentB || extentB == 1 {
                shape[axis] = extentA
            } else if extentA == 1 {
                shape[axis] = extentB
            } else {
                throw TensorError(
                    operation, shapes: [a, b],
                    "shapes do not broadcast: extents \(extentA) and \(extentB) differ at axis \(axis - rank)")
            }
        }
        return shape
    }

    /// Strides that read a tensor of `shape` as if it had `target` shape: 0 along broadcast axes.
    static func broadcastStrides(of shape: [Int], to target: [Int]) -> [Int] {
        let own = contiguousStrides(of: shape)
        let lead = target.count - shape.count
        return target.indices.map { axis in
            axis < lead || shape[axis - lead] == 1 ? 0 : own[axis - lead]
        }
    }

    /// The tensor broadcast to `shape`, materialized (NumPy `broadcast_to`, PyTorch `expand`).
    ///
    /// - Shape: `shape` must be a broadcast of `self.shape`; the result has `shape`.
    /// - Gradient: summed back over the broadcast axes.
    public func expanded(to shape: [Int]) throws(TensorError) -> Tensor {
        try Self.validate(shape: shape, operation: "expand")
        let target = try Self.broadcastShape(self.shape, shape, operation: "expand")
        guard target == shape else {
            throw TensorError("expand", shapes: [self.shape, shape], "cannot expand to a smaller shape")
        }
        if shape == self.shape { return self }
        try Self.reserve(shape, operation: "expand", operands: [self.shape, shape])
        let view = StridedView(offset: 0, shape: shape, strides: Self.broadcastStrides(of: self.shape, to: shape))
        return Tensor(result: view.copy(from: storage), shape: shape, operation: .expand, inputs: [self])
    }

    /// Sums a broadcast result back to `shape` (which it was broadcast from): the gradient of broadcasting.
    func summed(toShape target: [Int]) throws(TensorError) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var axes: [Int] = Array(0..<lead)
        for (index, extent) in target.enumerated() where extent == 1 && shape[lead + index] != 1 {
            axes.append(lead + index)
        }
        let reduced = try sum(alongAxes: axes, keepingDimensions: true)
        return try reduced.reshaped(to: target)
    }
}
