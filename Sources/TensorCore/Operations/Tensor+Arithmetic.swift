// Tensor+Arithmetic: binary elementwise ops with broadcasting (+ − × ÷, pow, max, min), comparisons, select.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The differentiable binary elementwise operators.
enum BinaryOperator {
    case add, subtract, multiply, divide, power, maximum, minimum

    var operation: Operation {
        switch self {
        case .add: .add
        case .subtract: .subtract
        case .multiply: .multiply
        case .divide: .divide
        case .power: .power
        case .maximum: .maximum
        case .minimum: .minimum
        }
    }
}

extension Tensor {
    static func binary(_ op: BinaryOperator, _ a: Tensor, _ b: Tensor) throws(TensorError) -> Tensor {
        let shape = try broadcastShape(a.shape, b.shape, operation: op.operation.name)
        if shape != a.shape && shape != b.shape {  // a result larger than both operands
            try reserve(shape, operation: op.operation.name, operands: [a.shape, b.shape])
        }
        return binary(op, a, b, shape: shape)
    }

    static func binary(_ op: BinaryOperator, _ a: Tensor, _ b: Tensor, shape: [Int]) -> Tensor {
        let storage: TensorStorage
        switch op {
        case .add: storage = ElementwiseKernel.broadcast(a, b, to: shape) { $0 + $1 }
        case .subtract: storage = ElementwiseKernel.broadcast(a, b, to: shape) { $0 - $1 }
        case .multiply: storage = ElementwiseKernel.broadcast(a, b, to: shape) { $0 * $1 }
        case .divide: storage = ElementwiseKernel.broadcast(a, b, to: shape) { $0 / $1 }
        case .power: storage = ElementwiseKernel.broadcast(a, b, to: shape) { powf($0, $1) }
        case .maximum: storage = ElementwiseKernel.broadcast(a, b, to: shape) { $0 >= $1 || $1.isNaN ? $0 : $1 }
        case .minimum: storage = ElementwiseKernel.broadcast(a, b, to: shape) { $0 <= $1 || $1.isNaN ? $0 : $1 }
        }
        return Tensor(
            result: storage, shape: shape, operation: op.operation, inputs: [a, b],
            tracked: a.node != nil || b.node != nil)
    }

    /// Elementwise sum with broadcasting.
    ///
    /// - Shape: `broadcast(lhs.shape, rhs.shape)`.
    public static func + (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try binary(.add, lhs, rhs) }
    /// Elementwise difference with broadcasting.
    ///
    /// - Shape: `broadcast(lhs.shape, rhs.shape)`.
    public static func - (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor {
        try binary(.subtract, lhs, rhs)
    }
    /// Elementwise (Hadamard) product with broadcasting.
    ///
    /// - Shape: `broadcast(lhs.shape, rhs.shape)`.
    public static func * (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor {
        try binary(.multiply, lhs, rhs)
    }
    /// Elementwise quotient with broadcasting.
    ///
    /// - Shape: `broadcast(lhs.shape, rhs.shape)`.
    public static func / (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try binary(.divide, lhs, rhs) }

    public static func + (lhs: Tensor, rhs: Float) -> Tensor { binary(.add, lhs, Tensor(rhs), shape: lhs.shape) }
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { binary(.add, Tensor(lhs), rhs, shape: rhs.shape) }
    public static func - (lhs: Tensor, rhs: Float) -> Tensor {
        binary(.subtract, lhs, Tensor(rhs), shape: lhs.shape)
    }
    public static func - (lhs: Float, rhs: Tensor) -> Tensor {
        binary(.subtract, Tensor(lhs), rhs, shape: rhs.shape)
    }
    public static func * (lhs: Tensor, rhs: Float) -> Tensor {
        binary(.multiply, lhs, Tensor(rhs), shape: lhs.shape)
    }
    public static func * (lhs: Float, rhs: Tensor) -> Tensor {
        binary(.multiply, Tensor(lhs), rhs, shape: rhs.shape)
    }
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { binary(.divide, lhs, Tensor(rhs), shape: lhs.shape) }
    public static func / (lhs: Float, rhs: Tensor) -> Tensor { binary(.divide, Tensor(lhs), rhs, shape: rhs.shape) }

    /// Elementwise `self ** exponent` with broadcasting.
    ///
    /// - Shape: `broadcast(self.shape, exponent.shape)`.
    /// - Gradient: `d/da = b·a^(b−1)`, `d/db = a^b·ln a`.
    public func raised(to exponent: Tensor) throws(TensorError) -> Tensor { try Self.binary(.power, self, exponent) }

    /// Elementwise maximum with broadcasting (NaN propagates from the first operand).
    ///
    /// - Shape: `broadcast(a.shape, b.shape)`. Ties send the gradient to `a`.
    public static func maximum(_ a: Tensor, _ b: Tensor) throws(TensorError) -> Tensor {
        try binary(.maximum, a, b)
    }

    /// Elementwise minimum with broadcasting.
    ///
    /// - Shape: `broadcast(a.shape, b.shape)`. Ties send the gradient to `a`.
    public static func minimum(_ a: Tensor, _ b: Tensor) throws(TensorError) -> Tensor {
        try binary(.minimum, a, b)
    }

    // MARK: comparisons (masks of 0 and 1, not differentiable)

    private func compare(_ other: Tensor, _ name: String, _ test: (Float, Float) -> Bool) throws(TensorError) -> Tensor
    {
        let shape = try Self.broadcastShape(self.shape, other.shape, operation: name)
        if shape != self.shape && shape != other.shape {
            try Self.reserve(shape, operation: name, operands: [self.shape, other.shape])
        }
        let storage = ElementwiseKernel.broadcast(self, other, to: shape) { test($0, $1) ? 1 : 0 }
        return Tensor(shape: shape, storage: storage)
    }

    /// 1 where `self > other`, else 0. - Shape: broadcast of both.
    public func greater(than other: Tensor) throws(TensorError) -> Tensor { try compare(other, "greater") { $0 > $1 } }
    /// 1 where `self ≥ other`, else 0. - Shape: broadcast of both.
    public func greaterOrEqual(to other: Tensor) throws(TensorError) -> Tensor {
        try compare(other, "greaterOrEqual") { $0 >= $1 }
    }
    /// 1 where `self < other`, else 0. - Shape: broadcast of both.
    public func less(than other: Tensor) throws(TensorError) -> Tensor { try compare(other, "less") { $0 < $1 } }
    /// 1 where `self ≤ other`, else 0. - Shape: broadcast of both.
    public func lessOrEqual(to other: Tensor) throws(TensorError) -> Tensor {
        try compare(other, "lessOrEqual") { $0 <= $1 }
    }
    func notEqualToZero() -> Tensor {
        Tensor(shape: shape, storage: ElementwiseKernel.map(storage) { $0 != 0 ? 1 : 0 })
    }

    /// 1 where `self == other`, else 0. - Shape: broadcast of both.
    public func equal(to other: Tensor) throws(TensorError) -> Tensor { try compare(other, "equal") { $0 == $1 } }

    /// `a` where `mask` is nonzero, else `b` (NumPy `where`), all three broadcast together.
    ///
    /// - Shape: `broadcast(mask.shape, a.shape, b.shape)`.
    /// - Gradient: flows to `a` where the mask is set and to `b` elsewhere; the mask gets none.
    public static func select(where mask: Tensor, _ a: Tensor, _ b: Tensor) throws(TensorError) -> Tensor {
        let shape = try broadcastShape(
            broadcastShape(mask.shape, a.shape, operation: "select"), b.shape, operation: "select")
        try reserve(shape, operation: "select", operands: [mask.shape, a.shape, b.shape])
        let fullMask = try mask.detached().expanded(to: shape).notEqualToZero()
        let left = try a.detached().expanded(to: shape)
        let right = try b.detached().expanded(to: shape)
        let output = TensorStorage(uninitializedCount: count(of: shape))
        for index in 0..<output.count {
            output.pointer[index] =
                fullMask.storage.pointer[index] != 0 ? left.storage.pointer[index] : right.storage.pointer[index]
        }
        return Tensor(result: output, shape: shape, operation: .select(mask: fullMask), inputs: [a, b])
    }
}
