// NeuralNetworkError: the one error type of the module (an operation and a reason, like TensorError).

/// An error from a layer, loss, optimizer, training loop, loader or checkpoint: which operation failed and why.
public struct NeuralNetworkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The operation that failed (`Dense`, `fit`, `readCSV`, `loadCheckpoint`, …).
    public let operation: String
    /// What went wrong, phrased for the user.
    public let reason: String

    /// An error for `operation` with `reason`.
    public init(_ operation: String, _ reason: String) {
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "\(operation): \(reason)" }
}
