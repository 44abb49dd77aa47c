// ElementwiseKernel: the loops behind elementwise ops, with NumPy broadcasting; written so LLVM vectorizes them.

/// Raw loops over tensor storage. Every entry point is `@inline(__always)` so that each op's closure is inlined
/// into its own copy of the loop, which the optimizer then vectorizes.
enum ElementwiseKernel {
    /// `output[i] = f(input[i])`.
    @inline(__always)
    static func map(_ input: TensorStorage, _ f: (Float) -> Float) -> TensorStorage {
        let count = input.count
        let output = TensorStorage(uninitializedCount: count)
        let source = input.pointer
        let destination = output.pointer
        for index in 0..<count { destination[index] = f(source[index]) }
        return output
    }

    /// `output[i] = f(a[i], b[i])` for two storages of the same count.
    @inline(__always)
    static func zip(_ a: TensorStorage, _ b: TensorStorage, _ f: (Float, Float) -> Float) -> TensorStorage {
        let count = a.count
        let output = TensorStorage(uninitializedCount: count)
        let left = a.pointer
        let right = b.pointer
        let destination = output.pointer
        for index in 0..<count { destination[index] = f(left[index], right[index]) }
        return output
    }

    /// `f(a, b)` broadcast to `shape` (already validated by `Tensor.broadcastShape`).
    @inline(__always)
    static func broadcast(
        _ a: Tensor, _ b: Tensor, to shape: [Int], _ f: (Float, Float) -> Float
    ) -> TensorStorage {
        if a.shape == b.shape { return zip(a.storage, b.storage, f) }
        let count = Tensor.count(of: shape)
        let output = TensorStorage(uninitializedCount: count)
        let left = a.storage.pointer
        let right = b.storage.pointer
        let destination = output.pointer
        if b.scalarCount == 1 {
            let constant = right[0]
            for index in 0..<count { destination[index] = f(left[index], constant) }
            return output
        }
        if a.scalarCount == 1 {
            let constant = left[0]
            for index in 0..<count { destination[index] = f(constant, right[index]) }
            return output
        }
        let rank = shape.count
        let stridesA = Tensor.broadcastStrides(of: a.shape, to: shape)
        let stridesB = Tensor.broadcastStrides(of: b.shape, to: shape)
        let inner = shape[rank - 1]
        let innerA = stridesA[rank - 1]
        let innerB = stridesB[rank - 1]
        let outer = count / max(inner, 1)
        var index = [Int](repeating: 0, count: rank)
        var offsetA = 0
        var offsetB = 0
        var out = destination
        for _ in 0..<outer {
            let rowA = left + offsetA
            let rowB = right + offsetB
            if innerA == 1 && innerB == 1 {
                for j in 0..<inner { out[j] = f(rowA[j], rowB[j]) }
            } else if innerA == 1 {
                let constant = rowB[0]
                for j in 0..<inner { out[j] = f(rowA[j], constant) }
            } else if innerB == 1 {
                let constant = rowA[0]
                for j in 0..<inner { out[j] = f(constant, rowB[j]) }
            } else {
                let value = f(rowA[0], rowB[0])
                for j in 0..<inner { out[j] = value }
            }
            out += inner
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offsetA += stridesA[axis]
                offsetB += stridesB[axis]
                if index[axis] < shape[axis] { break }
                offsetA -= stridesA[axis] * shape[axis]
                offsetB -= stridesB[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return output
    }
}

/// A view of a storage as a strided array: the scalar at `index` is `offset + Σ index[k] * strides[k]`.
///
/// Slices (with steps), permutations and broadcasts (stride 0) are all views; `copy` materializes one and
/// `accumulate` is its transpose, used by the gradient rules.
struct StridedView: Sendable, Equatable {
    var offset: Int
    var shape: [Int]
    var strides: [Int]

    /// Materializes the view of `source` into a new contiguous storage.
    func copy(from source: TensorStorage) -> TensorStorage {
        let output = TensorStorage(uninitializedCount: Tensor.count(of: shape))
        var destination = output.pointer
        forEachRow { offset, inner, stride in
            let row = source.pointer + offset
            if stride == 1 {
                destination.update(from: row, count: inner)
            } else if stride == 0 {
                destination.update(repeating: row[0], count: inner)
            } else {
                for j in 0..<inner { destination[j] = row[j * stride] }
            }
            destination += inner
        }
        return output
    }

    /// Adds the contiguous `source` (of this view's shape) into `destination` at the view's positions.
    func accumulate(_ source: TensorStorage, into destination: TensorStorage) {
        var input = source.pointer
        forEachRow { offset, inner, stride in
            let row = destination.pointer + offset
            if stride == 0 {
                var total: Float = 0
                for j in 0..<inner { total += input[j] }
                row[0] += total
            } else {
                for j in 0..<inner { row[j * stride] += input[j] }
            }
            input += inner
        }
    }

    /// Overwrites the view's positions in `destination` with the contiguous `source` (no zero strides allowed).
    func assign(_ source: TensorStorage, into destination: TensorStorage) {
        var input = source.pointer
        forEachRow { offset, inner, stride in
            let row = destination.pointer + offset
            for j in 0..<inner { row[j * stride] = input[j] }
            input += inner
        }
    }

    /// Calls `body(offset, innerExtent, innerStride)` for each innermost row, in row-major order.
    @inline(__always)
    private func forEachRow(_ body: (Int, Int, Int) -> Void) {
        let rank = shape.count
        if rank == 0 {
            body(offset, 1, 1)
            return
        }
        let inner = shape[rank - 1]
        let innerStride = strides[rank - 1]
        let count = Tensor.count(of: shape)
        guard count > 0 else { return }
        let outer = count / inner
        var index = [Int](repeating: 0, count: rank)
        var position = offset
        for _ in 0..<outer {
            body(position, inner, innerStride)
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                position += strides[axis]
                if index[axis] < shape[axis] { break }
                position -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
