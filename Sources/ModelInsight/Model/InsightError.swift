// InsightError: every refusal of ModelInsight, naming the call and what to do instead.

/// A refusal by an attribution method: bad input (wrong feature count, NaN, a class out of range, an image method on
/// tabular data), a problem too large for the exact method, or a cancellation.
///
/// The description reads `kernelSHAP: x has 5 features; the model takes 4`.
public struct InsightError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, broadly, so a caller can react (the kernel anchors `.invalidArgument` at the argument).
    public enum Kind: Sendable, Equatable {
        /// An argument does not fit the model or the method.
        case invalidArgument
        /// The method cannot do this size of problem (exact Shapley values above the feature limit).
        case tooLarge
        /// The method needs input gradients and the function has none.
        case notDifferentiable
        /// The progress handler asked to stop before anything usable was finished.
        case cancelled
        /// The model failed (its own error's description is the reason).
        case modelFailed
    }

    public let kind: Kind
    /// The method or function that refused (`exactShapley`, `integratedGradients`, `ModelFunction`).
    public let operation: String
    public let reason: String

    public init(_ kind: Kind, _ operation: String, _ reason: String) {
        self.kind = kind
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "\(operation): \(reason)" }
}
