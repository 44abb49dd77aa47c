/// A failed cell: what the `error` message and the error `execute_reply` carry.
public struct ExecutionError: Error, Equatable, Sendable {
    /// The error's name (`ename`), e.g. `TypeError` or `Interrupted`.
    public var name: String
    /// Its message (`evalue`).
    public var value: String
    /// The lines shown to the user; never empty on the wire (the classic Notebook shows only this).
    public var traceback: [String]

    public init(name: String, value: String, traceback: [String] = []) {
        self.name = name
        self.value = value
        self.traceback = traceback.isEmpty ? ["\(name): \(value)"] : traceback
    }

    /// The error of a cell stopped by an interrupt.
    public static let interrupted = ExecutionError(name: "Interrupted", value: "execution was interrupted")
}
