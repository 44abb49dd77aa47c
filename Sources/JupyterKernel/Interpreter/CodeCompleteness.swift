/// The answer to an `is_complete_request`.
public enum CodeCompleteness: Equatable, Sendable {
    case complete
    /// More input is needed; `indent` is what the next line should start with.
    case incomplete(indent: String)
    case invalid
    case unknown
}
