// SearchError: every failure of a search space, a study or its storage, as one error type with a message that names
// what was asked and why it cannot be done.

/// A failure of the search engine: bad input (an empty range, a choice of nothing), a study that cannot be found, a
/// locked or corrupt study file, an unreachable database.
public struct SearchError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure, for callers that react to it.
    public enum Kind: String, Sendable, Equatable {
        /// A search space or argument that cannot be used (empty range, non-positive log bound, empty choice).
        case invalidArgument
        /// A parameter suggested twice in one trial with different distributions, or outside a grid.
        case inconsistentParameter
        /// No study of that name in the storage.
        case studyNotFound
        /// A study of that name exists with a different direction.
        case studyMismatch
        /// The study file is locked by another connection for longer than the busy timeout.
        case locked
        /// The study file is not a study database (not SQLite, or damaged).
        case corrupt
        /// The database server cannot be reached or refused the connection.
        case unreachable
        /// Any other storage failure (disk full, permission denied, a failed query).
        case storage
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// Thrown by an objective (usually through `trial.pruneIfNeeded()`) to stop a trial the pruner gave up on; the trial is
/// recorded as `.pruned` with its last reported value.
public struct TrialPruned: Error, CustomStringConvertible, Sendable {
    public let step: Int?
    public init(step: Int? = nil) { self.step = step }
    public var description: String { step.map { "trial pruned at step \($0)" } ?? "trial pruned" }
}

/// An error that stops the whole study, not just the trial: an interrupt from the user, a cancelled task. The trial it
/// ends is recorded as failed (every finished trial is already stored) and the error is rethrown by `optimize`.
/// `CancellationError` is treated the same way.
public protocol StopsStudy: Error {}
