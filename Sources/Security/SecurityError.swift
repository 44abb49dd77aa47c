// SecurityError: every refusal of the Security target, naming the operation and what to do instead.

/// A refusal by an attack, a recognizer or an anonymisation step: bad input (ε < 0, rows outside the declared valid
/// range, labels that do not fit the model), a model without input gradients, or a cancellation.
///
/// The description reads `pgd: epsilon must be at least 0, got -0.1`.
public struct SecurityError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, broadly, so a caller can react (the library anchors `.invalidArgument` at the argument).
    public enum Kind: Sendable, Equatable {
        /// An argument does not fit the model, the data or the method.
        case invalidArgument
        /// The attack needs input gradients and the model has none.
        case notDifferentiable
        /// The progress handler asked to stop.
        case cancelled
        /// The model failed (its own error's description is the reason).
        case modelFailed
    }

    public let kind: Kind
    /// The operation that refused (`fgsm`, `pgd`, `AttackModel`, `kAnonymity`).
    public let operation: String
    public let reason: String
    /// The argument the refusal is about (`epsilon`, `inputs`, `labels`), when there is one.
    public let argument: String?

    public init(_ kind: Kind, _ operation: String, _ reason: String, argument: String? = nil) {
        self.kind = kind
        self.operation = operation
        self.reason = reason
        self.argument = argument
    }

    public var description: String { "\(operation): \(reason)" }
}
