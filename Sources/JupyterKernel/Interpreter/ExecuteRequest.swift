/// The content of an `execute_request`, as the interpreter needs it.
public struct ExecuteRequest: Sendable {
    public var code: String
    /// Run as quietly as possible: no `execute_input`, no `execute_result`, no history.
    public var silent: Bool
    public var storeHistory: Bool
    /// Whether `input_request` may be sent (false for clients without stdin).
    public var allowStdin: Bool
    public var stopOnError: Bool
    /// The number this cell gets in `execute_input`, `execute_result` and `execute_reply`.
    public var executionCount: Int

    public init(
        code: String, silent: Bool = false, storeHistory: Bool = true, allowStdin: Bool = true,
        stopOnError: Bool = true, executionCount: Int = 1
    ) {
        self.code = code
        self.silent = silent
        self.storeHistory = storeHistory
        self.allowStdin = allowStdin
        self.stopOnError = stopOnError
        self.executionCount = executionCount
    }
}
