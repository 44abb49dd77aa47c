// IndexTensor: integer tensors for labels, gather/index-select indices and argmax results.

/// An n-dimensional array of integer indices (labels, gather indices, argmax results). Not differentiable.
///
/// - Shape: `shape`, row-major like ``Tensor``; `indices.count` is the product of the shape.
public struct IndexTensor: Sendable, Equatable, CustomStringConvertible {
    public let shape: [Int]
    public let indices: [Int]

    /// Creates an index tensor of the given shape.
    public init(shape: [Int], indices: [Int]) throws(TensorError) {
        guard shape.allSatisfy({ $0 >= 0 }), MemoryBudget.scalarCount(of: shape) == indices.count else {
            throw TensorError(
                "IndexTensor", shapes: [shape], "\(indices.count) indices do not fill the shape")
        }
        self.shape = shape
        self.indices = indices
    }

    /// A vector of indices.
    ///
    /// - Shape: `[indices.count]`.
    public init(_ indices: [Int]) {
        shape = [indices.count]
        self.indices = indices
    }

    public var rank: Int { shape.count }
    public var count: Int { indices.count }

    /// The indices as a Float tensor (e.g. to compare with predictions).
    public func toTensor() -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(indices.map { Float($0) }))
    }

    public var description: String { "IndexTensor(shape: \(TensorError.format(shape: shape)), \(indices))" }

    func validate(below limit: Int, operation: String, shapes: [[Int]]) throws(TensorError) {
        if let bad = indices.first(where: { $0 < 0 || $0 >= limit }) {
            throw TensorError(operation, shapes: shapes, "index \(bad) is out of range 0..<\(limit)")
        }
    }
}
