// TensorError: the one error type of the engine; it names the op and the shapes involved.

/// An error thrown by a tensor operation: the operation's name, the shapes of its operands, and what went wrong.
///
/// The description reads like `matmul: [32, 64] × [128, 10]: inner dimensions 64 and 128 differ`.
public struct TensorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The operation that failed, e.g. `"matmul"`.
    public let operation: String
    /// The shapes of the operands, in argument order.
    public let shapes: [[Int]]
    /// What went wrong, phrased for a person.
    public let reason: String
    /// Set when the op was refused memory (see ``MemoryBudget``): what it asked for and what was available.
    public let memoryShortfall: MemoryShortfall?

    public init(_ operation: String, shapes: [[Int]], _ reason: String, memoryShortfall: MemoryShortfall? = nil) {
        self.operation = operation
        self.shapes = shapes
        self.reason = reason
        self.memoryShortfall = memoryShortfall
    }

    /// Whether the op failed for lack of memory rather than because of its operands' shapes or values.
    public var isOutOfMemory: Bool { memoryShortfall != nil }

    public var description: String {
        if shapes.isEmpty { return "\(operation): \(reason)" }
        let operands = shapes.map { Self.format(shape: $0) }.joined(separator: " × ")
        return "\(operation): \(operands): \(reason)"
    }

    /// Formats a shape as `[2, 3]`; a scalar's shape is `[]`.
    public static func format(shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}
