import RichDisplay

/// A language, as the kernel sees it (xeus's `xinterpreter`). The kernel orders the messages
/// and fills the parent headers; an interpreter only answers requests and publishes outputs
/// through the `Publisher` of its `ExecutionContext`.
///
/// Calls are serialised: one at a time, on the shell thread or (for a subshell's request while
/// the shell is idle) on a subshell thread, under the kernel's lock; never two at once. The
/// exceptions: the closure returned by `makeInterruptHandler()`, which the control thread and
/// SIGINT call; the comm handlers when `handlesCommsConcurrently`; and the assistant from
/// `makeConcurrentAssistant()`, which subshells use while a cell runs.
public protocol KernelInterpreter: LanguageAssistant {
    /// What `kernel_info_reply` says about the language.
    var kernelInfo: KernelInfo { get }

    /// A closure that asks the running cell to stop (it should end soon with an
    /// `ExecutionError` named `Interrupted`). Called once, before the kernel starts.
    func makeInterruptHandler() -> @Sendable () -> Void

    /// Runs a cell. Outputs go through `context.publisher`; the returned bundle becomes the
    /// `execute_result` (unless the request is silent).
    func execute(_ request: ExecuteRequest, context: ExecutionContext) -> Result<MIMEBundle?, ExecutionError>

    /// Evaluates one of an execute request's `user_expressions`.
    func evaluate(expression: String) -> Result<MIMEBundle, ExecutionError>

    /// Something that answers completion, inspection and is-complete on another thread while a
    /// cell runs (from what does not change while it runs: builtins, syntax), or `nil`: then a
    /// subshell asked while a cell runs gets empty matches, `found: false` and `unknown`. Called
    /// at most once, on a subshell thread.
    func makeConcurrentAssistant() -> (any LanguageAssistant)?

    /// Whether the comm handlers may run on a subshell thread while `execute` runs (default
    /// `false`: a subshell's comm message then waits for the cell).
    var handlesCommsConcurrently: Bool { get }

    /// Handles a `comm_open` for `targetName` (`metadata` is the message's: the widget control comm's protocol
    /// `version` is there); returns `false` for an unknown target, which the kernel answers with `comm_close`.
    func openComm(id: String, targetName: String, data: JSONValue, metadata: JSONValue, publisher: Publisher) -> Bool

    /// Handles a `comm_msg` to a comm this interpreter accepted.
    func receiveCommMessage(id: String, data: JSONValue, publisher: Publisher)

    /// Handles a `comm_close` from the front end.
    func closeComm(id: String, data: JSONValue)

    /// Called once when the kernel shuts down (or restarts).
    func shutdown(restart: Bool)
}

/// Completion, inspection and is-complete: what a kernel's editor help needs.
public protocol LanguageAssistant: AnyObject {
    /// Completions at `cursorPosition` (in Unicode scalars, as in protocol 5.2+).
    func complete(code: String, cursorPosition: Int) -> CompletionResult

    /// Documentation for what is at the cursor; `nil` when nothing is found.
    func inspect(code: String, cursorPosition: Int, detailLevel: Int) -> MIMEBundle?

    /// Whether the code is a complete cell (for consoles).
    func isComplete(code: String) -> CodeCompleteness
}

extension KernelInterpreter {
    public func evaluate(expression: String) -> Result<MIMEBundle, ExecutionError> {
        .failure(ExecutionError(name: "NotSupported", value: "user expressions are not supported"))
    }

    public func makeConcurrentAssistant() -> (any LanguageAssistant)? { nil }

    public var handlesCommsConcurrently: Bool { false }
}

extension LanguageAssistant {
    public func complete(code: String, cursorPosition: Int) -> CompletionResult {
        CompletionResult(matches: [], cursorStart: cursorPosition, cursorEnd: cursorPosition)
    }

    public func inspect(code: String, cursorPosition: Int, detailLevel: Int) -> MIMEBundle? { nil }

    public func isComplete(code: String) -> CodeCompleteness { .unknown }
}

extension KernelInterpreter {

    public func openComm(
        id: String, targetName: String, data: JSONValue, metadata: JSONValue, publisher: Publisher
    ) -> Bool { false }

    public func receiveCommMessage(id: String, data: JSONValue, publisher: Publisher) {}

    public func closeComm(id: String, data: JSONValue) {}

    public func shutdown(restart: Bool) {}
}
