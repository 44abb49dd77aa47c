import Foundation
import JupyterKernel
import RichDisplay
import RigorLibrary
import RigorScript

/// The Rigor language for the Jupyter kernel: a `Session` with the library behind `KernelInterpreter`; its
/// `KernelHost` turns `display`, `update` and `clearOutput` into Jupyter messages.
public final class RigorInterpreter: KernelInterpreter {
    public static let version = "0.1.0"

    let session: Session
    private let host: KernelHost

    /// A fresh session with the prelude, the engine's library (tensors, data, models, training,
    /// charts) and the notebook builtins; `configure` may register more.
    public init(configure: (Session) -> Void = { _ in }) {
        let host = KernelHost()
        self.host = host
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        session = Session(host: host, registry: registry)
        configure(session)
        session.defineBuiltins()
    }

    public var kernelInfo: KernelInfo {
        KernelInfo(
            implementation: "rigor", implementationVersion: Self.version,
            language: LanguageInfo(
                name: "rigor", version: Self.version, mimetype: "text/x-rigor", fileExtension: ".rigor",
                pygmentsLexer: "swift", codemirrorMode: "swift"),
            banner: """
                Rigor \(Self.version): a Swift-like language for deep learning.
                Tab completes names, members and argument labels; Shift-Tab shows a builtin's documentation.
                """,
            helpLinks: [
                (text: "Swift (the syntax Rigor follows)", url: "https://docs.swift.org/swift-book/"),
                (text: "Jupyter messaging", url: "https://jupyter-client.readthedocs.io/en/stable/messaging.html"),
            ])
    }

    public func makeInterruptHandler() -> @Sendable () -> Void {
        let flag = session.interrupt
        return { flag.request() }
    }

    public func execute(_ request: ExecuteRequest, context: ExecutionContext) -> Result<MIMEBundle?, ExecutionError> {
        host.context = context
        defer { host.context = nil }
        let outcome = session.execute(request.code, storeHistory: request.storeHistory)
        if let error = outcome.error { return .failure(executionError(error)) }
        return .success(outcome.value?.mimeBundle)
    }

    public func evaluate(expression: String) -> Result<MIMEBundle, ExecutionError> {
        let outcome = session.execute(expression, storeHistory: false)
        if let error = outcome.error { return .failure(executionError(error)) }
        return .success(outcome.value?.mimeBundle ?? MIMEBundle(plainText: "nil"))
    }

    public func complete(code: String, cursorPosition: Int) -> JupyterKernel.CompletionResult {
        let result = session.completions(in: code, cursor: cursorPosition)
        return JupyterKernel.CompletionResult(
            matches: result.matches, cursorStart: result.cursorStart, cursorEnd: result.cursorEnd)
    }

    public func inspect(code: String, cursorPosition: Int, detailLevel: Int) -> MIMEBundle? {
        session.inspection(in: code, cursor: cursorPosition).map { MIMEBundle(plainText: $0) }
    }

    public func isComplete(code: String) -> CodeCompleteness {
        switch session.completeness(of: code) {
        case .complete: .complete
        case .incomplete(let indent): .incomplete(indent: indent)
        case .invalid: .invalid
        }
    }

    /// For subshells while a cell runs: a second session with the same builtins and none of the
    /// user's state, so completion, inspection and is-complete work from builtins, keywords and
    /// syntax without touching the session the cell is changing.
    public func makeConcurrentAssistant() -> (any LanguageAssistant)? {
        RigorBuiltinsAssistant()
    }

    /// Rigor registers no comm targets: a `comm_open` is refused (answered with `comm_close`) and
    /// messages to unknown comms are ignored, touching no session state, so a subshell may do it
    /// while a cell runs.
    public var handlesCommsConcurrently: Bool { true }

    /// A script error as Jupyter shows it: the kind as `ename`, the message as `evalue`, and the
    /// swiftc-style rendering (source line, carets, notes, frames; ANSI colours) as traceback.
    private func executionError(_ error: ScriptError) -> ExecutionError {
        let rendered = session.render(error, usesColor: true)
        return ExecutionError(
            name: error.kind.name, value: error.message,
            traceback: rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    }
}

/// Completion, inspection and is-complete from a session of builtins only (no user state): what a
/// subshell answers while the main session runs a cell.
final class RigorBuiltinsAssistant: LanguageAssistant {
    private let session: Session

    init() {
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        session = Session(registry: registry)
        session.defineBuiltins()
    }

    func complete(code: String, cursorPosition: Int) -> JupyterKernel.CompletionResult {
        let result = session.completions(in: code, cursor: cursorPosition)
        return JupyterKernel.CompletionResult(
            matches: result.matches, cursorStart: result.cursorStart, cursorEnd: result.cursorEnd)
    }

    func inspect(code: String, cursorPosition: Int, detailLevel: Int) -> MIMEBundle? {
        session.inspection(in: code, cursor: cursorPosition).map { MIMEBundle(plainText: $0) }
    }

    func isComplete(code: String) -> CodeCompleteness {
        switch session.completeness(of: code) {
        case .complete: .complete
        case .incomplete(let indent): .incomplete(indent: indent)
        case .invalid: .invalid
        }
    }
}
