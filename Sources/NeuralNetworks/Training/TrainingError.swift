// TrainingError: why fit stopped abnormally (interrupted, or a loss that became NaN/Inf), with the partial history.

/// A `fit` that did not finish: cancelled by its `shouldCancel` closure (the kernel's interrupt) or stopped because the
/// loss became non-finite. Carries the epochs finished so far.
public struct TrainingError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case cancelled
        case nonFiniteLoss
    }

    public let kind: Kind
    /// The epoch (from 0) and batch (from 0) where training stopped.
    public let epoch: Int
    public let batch: Int
    /// The finished epochs.
    public let history: History
    public let message: String

    public var description: String { message }
}
