// Tensor: an n-dimensional array of Float32 scalars, row-major, copy-on-write, that records the op that made it.

/// An n-dimensional array of `Float` scalars in row-major order.
///
/// A tensor is a value: copies share storage until one of them is written (copy-on-write). A tensor that requires
/// gradients carries a node of the autodiff graph: leaves (parameters, inputs you differentiate with respect to) are
/// made with ``requiringGrad()``, and every op on them records itself, so ``backward(retainingGraph:)`` can walk the
/// graph back. See `docs/engine.md`.
///
/// - Shape: `shape` lists the extent of each axis; a scalar has shape `[]`, and `scalarCount` is the product.
public struct Tensor: Sendable {
    /// The extent of each axis, outermost first.
    public let shape: [Int]
    var storage: TensorStorage
    /// The autodiff node, present when this tensor requires gradients.
    let node: GradientNode?

    init(shape: [Int], storage: TensorStorage, node: GradientNode? = nil) {
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// Creates a tensor of the given shape from scalars in row-major order.
    ///
    /// - Shape: `scalars.count` must equal the product of `shape`.
    public init(shape: [Int], scalars: [Float]) throws(TensorError) {
        try Self.validate(shape: shape, operation: "init(shape:scalars:)")
        if MemoryBudget.scalarCount(of: shape) == nil {
            try MemoryBudget.check(count: nil, operation: "init(shape:scalars:)", shapes: [shape])
        }
        guard MemoryBudget.scalarCount(of: shape) == scalars.count else {
            throw TensorError(
                "init(shape:scalars:)", shapes: [shape],
                "\(scalars.count) scalars do not fill \(Self.count(of: shape)) elements")
        }
        self.init(shape: shape, storage: TensorStorage(scalars))
    }

    /// Creates a scalar (rank-0) tensor.
    public init(_ scalar: Float) {
        self.init(shape: [], storage: TensorStorage(repeating: scalar, count: 1))
    }

    /// Creates a vector.
    ///
    /// - Shape: `[scalars.count]`.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], storage: TensorStorage(scalars))
    }

    /// Creates a matrix from rows; all rows must have the same length.
    ///
    /// - Shape: `[rows.count, rows[0].count]`.
    public init(_ rows: [[Float]]) throws(TensorError) {
        let width = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == width }) else {
            throw TensorError("init(_:)", shapes: [], "rows have different lengths \(rows.map(\.count))")
        }
        try self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// Creates a rank-3 tensor from nested arrays; they must not be ragged.
    ///
    /// - Shape: `[planes.count, planes[0].count, planes[0][0].count]`.
    public init(_ planes: [[[Float]]]) throws(TensorError) {
        let rows = planes.first?.count ?? 0
        let width = planes.first?.first?.count ?? 0
        guard planes.allSatisfy({ $0.count == rows && $0.allSatisfy { $0.count == width } }) else {
            throw TensorError("init(_:)", shapes: [], "nested arrays are ragged")
        }
        try self.init(shape: [planes.count, rows, width], scalars: planes.flatMap { $0.flatMap { $0 } })
    }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// The number of scalars: the product of the shape.
    public var scalarCount: Int { storage.count }

    /// The scalars in row-major order.
    public var scalars: [Float] { Array(storage.buffer) }

    /// The only scalar of a one-element tensor.
    public func item() throws(TensorError) -> Float {
        guard scalarCount == 1 else {
            throw TensorError("item", shapes: [shape], "only a one-element tensor has an item")
        }
        return storage.pointer[0]
    }

    /// Calls `body` with the scalars, read-only.
    public func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(E) -> R
    ) throws(E)
        -> R
    {
        try body(UnsafeBufferPointer(storage.buffer))
    }

    /// Calls `body` with the scalars for writing, after making the storage unique (copy-on-write).
    ///
    /// This is how parameters mutate in place (optimizers); the autodiff node, and so the gradient, stays.
    public mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(storage.buffer)
    }

    static func count<Extents: Sequence<Int>>(of shape: Extents) -> Int {
        var product = 1
        for extent in shape { product &*= extent }
        return product
    }

    static func validate(shape: [Int], operation: String) throws(TensorError) {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError(operation, shapes: [shape], "extents must not be negative")
        }
    }

    /// Checks that a result of `shape` fits the ``MemoryBudget`` (and that its scalar count does not overflow)
    /// before an op allocates it; `operands` are the shapes the error names.
    static func reserve(_ shape: [Int], operation: String, operands: [[Int]]) throws(TensorError) {
        try MemoryBudget.check(count: MemoryBudget.scalarCount(of: shape), operation: operation, shapes: operands)
    }

    static func contiguousStrides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() {
            strides[axis] = stride
            stride *= shape[axis]
        }
        return strides
    }
}

extension Tensor: CustomStringConvertible {
    /// A NumPy-like rendering: nested brackets, at most 6 scalars per axis shown.
    public var description: String {
        var text = "Tensor(shape: \(TensorError.format(shape: shape))"
        text += ", " + render(axis: 0, offset: 0) + ")"
        return text
    }

    private func render(axis: Int, offset: Int) -> String {
        if axis == rank { return Self.format(storage.pointer[offset]) }
        let extent = shape[axis]
        let stride = Self.count(of: shape[(axis + 1)...])
        var parts: [String] = []
        for index in 0..<extent {
            if extent > 6 && index == 3 { parts.append("…") }
            if extent > 6 && index >= 3 && index < extent - 3 { continue }
            parts.append(render(axis: axis + 1, offset: offset + index * stride))
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }

    private static func format(_ value: Float) -> String {
        if value == value.rounded() && Swift.abs(value) < 1e7 { return String(Int(value)) + "." }
        return String(value)
    }
}
