/// What an interpreter gets while running a cell: the `Publisher` for outputs and a way to ask
/// the user for input over the stdin channel.
public final class ExecutionContext {
    public let publisher: Publisher
    private let input: (_ prompt: String, _ password: Bool) throws(ExecutionError) -> String

    init(publisher: Publisher, input: @escaping (String, Bool) throws(ExecutionError) -> String) {
        self.publisher = publisher
        self.input = input
    }

    /// Sends `input_request` and waits for the front end's `input_reply`. Throws when the client
    /// does not allow stdin, or `ExecutionError.interrupted` on an interrupt.
    public func readLine(prompt: String = "", password: Bool = false) throws(ExecutionError) -> String {
        try input(prompt, password)
    }
}
