import Foundation
import JupyterKernel
import RichDisplay
import RigorLibrary
import RigorScript
import Widgets

/// The Rigor language for the Jupyter kernel: a `Session` with the library behind `KernelInterpreter`; its
/// `KernelHost` turns `display`, `update` and `clearOutput` into Jupyter messages, and its `WidgetManager`
/// answers the `jupyter.widget` and `jupyter.widget.control` comms (docs/widgets.md).
///
/// Comm messages are handled at once, also while a cell runs (`handlesCommsConcurrently`): the widget layer
/// applies a front end's state under its own lock and never touches the session. Script work that a widget
/// causes (a handler) is queued on `widgetWork` and runs with `scriptLock`, which every cell also holds: never
/// concurrently with the interpreter.
public final class RigorInterpreter: KernelInterpreter, @unchecked Sendable {
    public static let version = RigorLibrary.version

    let session: Session
    let host: KernelHost
    /// The session's widget models and their comms.
    public let widgets: WidgetManager
    /// Held while the session runs a cell, a user expression or a widget handler.
    let scriptLock = NSLock()
    /// Widget handlers, run one at a time after the comm message that caused them was answered.
    private(set) var widgetWork: WidgetWorkQueue!
    /// Completion and inspection while a widget handler holds the session (made on first use).
    private lazy var builtinsAssistant = RigorBuiltinsAssistant()

    /// A fresh session with the prelude, the engine's library (tensors, data, models, training,
    /// charts) and the notebook builtins; `configure` may register more. `log` gets what the widget layer
    /// refuses or ignores (the kernel's stderr by default).
    public init(
        configure: (Session) -> Void = { _ in },
        log: @escaping @Sendable (String) -> Void = { message in
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
    ) {
        let widgets = WidgetManager(log: log)
        self.widgets = widgets
        let host = KernelHost(widgets: widgets)
        self.host = host
        let registry = BuiltinRegistry()
        RigorLibrary.register(in: registry)
        session = Session(host: host, registry: registry)
        configure(session)
        session.defineBuiltins()
        let flag = session.interrupt
        widgetWork = WidgetWorkQueue(
            scriptLock: scriptLock, perform: { [weak self] job in self?.performWidgetJob(job) },
            interrupt: { flag.request() }, clearInterrupt: { flag.clear() })
        host.scheduler = { [weak self] key, delay, output, body in
            self?.scheduleScript(key: key, delay: delay, output: output) { context in
                try body(context)
                return nil
            }
        }
        host.presentError = { [weak self] error in
            self?.executionError(error) ?? ExecutionError(name: error.kind.name, value: error.message, traceback: [])
        }
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
        scriptLock.lock()
        defer { scriptLock.unlock() }
        host.context = context
        host.runRecorder.origin = "In[\(request.executionCount)]"
        host.runRecorder.source = request.code
        widgets.transport = PublisherWidgetTransport(context.publisher)
        defer { host.context = nil }
        let outcome = session.execute(request.code, storeHistory: request.storeHistory)
        if let error = outcome.error { return .failure(executionError(error)) }
        return .success(outcome.value?.mimeBundle)
    }

    public func evaluate(expression: String) -> Result<MIMEBundle, ExecutionError> {
        scriptLock.lock()
        defer { scriptLock.unlock() }
        let outcome = session.execute(expression, storeHistory: false)
        if let error = outcome.error { return .failure(executionError(error)) }
        return .success(outcome.value?.mimeBundle ?? MIMEBundle(plainText: "nil"))
    }

    public func complete(code: String, cursorPosition: Int) -> JupyterKernel.CompletionResult {
        // While a widget handler runs, the session's names are being changed: answer from the builtins.
        guard scriptLock.try() else { return builtinsAssistant.complete(code: code, cursorPosition: cursorPosition) }
        defer { scriptLock.unlock() }
        let result = session.completions(in: code, cursor: cursorPosition)
        return JupyterKernel.CompletionResult(
            matches: result.matches, cursorStart: result.cursorStart, cursorEnd: result.cursorEnd)
    }

    public func inspect(code: String, cursorPosition: Int, detailLevel: Int) -> MIMEBundle? {
        guard scriptLock.try() else {
            return builtinsAssistant.inspect(code: code, cursorPosition: cursorPosition, detailLevel: detailLevel)
        }
        defer { scriptLock.unlock() }
        return session.inspection(in: code, cursor: cursorPosition).map { MIMEBundle(plainText: $0) }
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

    /// Comm messages touch the widget layer (its own lock) and queue script work; never the session. So they are
    /// handled at once, also while a cell runs.
    public var handlesCommsConcurrently: Bool { true }

    /// `jupyter.widget.control` (protocol 1.x) and `jupyter.widget` (a model the front end made); any other
    /// target is refused, and the kernel closes the comm.
    public func openComm(
        id: String, targetName: String, data: JSONValue, metadata: JSONValue, publisher: Publisher
    ) -> Bool {
        widgets.frontEndOpened(
            commID: id, targetName: targetName, data: data, metadata: metadata)
    }

    public func receiveCommMessage(id: String, data: JSONValue, publisher: Publisher) {
        let handled = WidgetTrigger.$current.withValue(WidgetTrigger.Box(publisher)) {
            widgets.frontEndMessage(
                commID: id, data: data, reply: PublisherWidgetTransport(publisher))
        }
        if !handled { widgets.log("widgets: comm_msg for comm \(id), which is not a widget's; ignored") }
    }

    public func closeComm(id: String, data: JSONValue) {
        widgets.frontEndClosed(commID: id)
    }

    public func shutdown(restart: Bool) {
        widgetWork.stop()
    }

    // MARK: widget handlers

    /// Queues a call into the session for a widget (a handler, an `interact` run): it runs after the comm message
    /// being handled (whose publisher is its parent, busy … idle) and after any running cell, on the session's
    /// executor; its output goes to `output` when given, else to that message's publisher (JupyterLab shows it in
    /// the log console), and an error it throws is shown there. `key` and `delay`: see `WidgetWorkQueue`.
    func scheduleScript(
        key: String? = nil, delay: Duration = .zero, output: Widget? = nil,
        _ body: @escaping (CallContext) throws -> Value?
    ) {
        // The comm message being handled is the parent; for a change made by code, the running cell or handler.
        let comm = WidgetTrigger.current?.publisher
        widgetWork.enqueue(key: key, delay: delay, trigger: comm ?? host.publisher, announces: comm != nil) {
            [weak self] in
            self?.runScript(output: output, key: key, body)
        }
    }

    /// Runs `body` in the session now (the caller holds `scriptLock`), its output into `output` when given; an
    /// error is shown where the output goes, except the interrupt of a stale run (a newer run with the same `key`
    /// is queued: only the latest result stays). Returns the outcome.
    @discardableResult
    func runScript(
        output: Widget?, key: String? = nil, _ body: @escaping (CallContext) throws -> Value?
    )
        -> Session.Outcome
    {
        let previous = host.sink
        if let output { host.sink = .output(output) }
        defer { host.sink = previous }
        let outcome = session.perform(body)
        host.flushOutputStream()
        if let error = outcome.error {
            if error.kind == .interrupted, let key, widgetWork.hasQueued(key: key) { return outcome }
            if let output {
                let failure = executionError(error)
                output.appendError(name: failure.name, value: failure.value, traceback: failure.traceback)
            } else {
                host.write(
                    "\(error.kind.name) in a widget handler:\n" + session.render(error, usesColor: true) + "\n",
                    to: .standardError)
            }
        }
        return outcome
    }

    private func performWidgetJob(_ job: WidgetWorkQueue.Job) {
        if let trigger = job.trigger {
            if job.announces { trigger.status(busy: true) }
            host.sink = .publisher(trigger)
            widgets.transport = PublisherWidgetTransport(trigger)
        }
        job.work()
        host.sink = nil
        if job.announces { job.trigger?.status(busy: false) }
    }

    /// A script error as Jupyter shows it: the kind as `ename`, the message as `evalue`, and the
    /// swiftc-style rendering (source line, carets, notes, frames; ANSI colours) as traceback.
    func executionError(_ error: ScriptError) -> ExecutionError {
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
