import Foundation
import JupyterKernel
import RichDisplay
import RigorLibrary
import RigorScript
import Widgets

/// The session's host while it serves Jupyter: output becomes `stream` messages and `readLine`
/// an `input_request`, through the context of the request being run; while a widget handler runs, output goes
/// to the publisher of the comm message that caused it, or into an Output widget.
///
/// The session calls it on its executor thread while the shell thread (or the widget work queue) waits for
/// the cell or handler, and the interpreter's script lock lets one of them run at a time, so the sink is never
/// used by two threads at once.
final class KernelHost: RichOutputHost, WidgetHost, RunLogHost, @unchecked Sendable {
    /// The session's widgets (the library's widget builtins make them here).
    let widgetManager: WidgetManager
    /// Queues widget work on the interpreter (set by it).
    var scheduler: ((String?, Duration, Widget?, @escaping (CallContext) throws -> Void) -> Void)?
    /// An error of a script as Jupyter shows it (set by the interpreter, which has the session's sources).
    var presentError: ((ScriptError) -> ExecutionError)?

    /// The session's run log: `runs.sqlite` in the working directory (a notebook's folder), unless
    /// `RIGOR_RUN_LOG` names another file or `off`.
    let runRecorder = RunRecorder(path: RunRecorder.defaultFileName)

    init(widgets: WidgetManager) { self.widgetManager = widgets }

    func scheduleWidgetWork(
        key: String?, delay: Duration, output: Widget?, _ body: @escaping (CallContext) throws -> Void
    ) {
        scheduler?(key, delay, output, body)
    }

    func runNow(into output: Widget, _ body: () throws -> Void) throws {
        let previous = sink
        sink = .output(output)
        defer { sink = previous }
        do {
            try body()
        } catch let error as ScriptError where error.kind != .interrupted {
            flushOutputStream()
            let shown =
                presentError?(error)
                ?? ExecutionError(name: error.kind.name, value: error.message, traceback: [error.message])
            output.appendError(name: shown.name, value: shown.value, traceback: shown.traceback)
        } catch let error as BuiltinError where error.kind != .interrupted {
            flushOutputStream()
            output.appendError(
                name: error.kind.name, value: error.message, traceback: ["\(error.kind.name): \(error.message)"])
        }
    }

    /// Where output goes.
    enum Sink {
        /// A cell: its publisher and stdin.
        case request(ExecutionContext)
        /// A handler: the publisher of the message that caused it (no stdin).
        case publisher(Publisher)
        /// Into an Output widget's outputs (`interact`'s output area).
        case output(Widget)
    }

    /// The request or handler being run; `nil` between them (output is then dropped).
    var sink: Sink? {
        willSet { flushOutputStream() }
    }

    /// Text written into an Output widget and not yet sent: every send carries the widget's whole outputs, so
    /// writes are joined. It is sent `outputStreamDelay` after it began (by the next write, or by a timer when the
    /// handler prints once and then computes), by any other output, or when the handler ends. The timer runs on
    /// another thread, so the batch is guarded by `streamLock`, and sent while holding it so a later display cannot
    /// overtake it.
    private var pendingStream: (widget: Widget, name: String, text: String, since: ContinuousClock.Instant, batch: Int)?
    private var streamBatches = 0
    private let streamLock = NSLock()
    static let outputStreamDelay = Duration.milliseconds(50)

    /// The cell being run (nil otherwise).
    var context: ExecutionContext? {
        get {
            if case .request(let context) = sink { return context }
            return nil
        }
        set { sink = newValue.map(Sink.request) }
    }

    /// Where the current cell's or handler's messages go (nil inside an Output widget or between requests).
    var publisher: Publisher? {
        switch sink {
        case .request(let context): context.publisher
        case .publisher(let publisher): publisher
        case .output, nil: nil
        }
    }

    func write(_ text: String, to stream: OutputStreamKind) {
        if case .output(let widget) = sink {
            let name = stream == .standardError ? "stderr" : "stdout"
            streamLock.lock()
            defer { streamLock.unlock() }
            if let pending = pendingStream, pending.widget === widget, pending.name == name {
                pendingStream?.text += text
            } else {
                sendPendingStream()
                streamBatches += 1
                let batch = streamBatches
                pendingStream = (widget, name, text, .now, batch)
                let delay = DispatchTimeInterval.milliseconds(Int(Self.outputStreamDelay / .milliseconds(1)))
                DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in
                    self?.flushOutputStream(batch: batch)
                }
            }
            if let pending = pendingStream, ContinuousClock.now - pending.since >= Self.outputStreamDelay {
                sendPendingStream()
            }
            return
        }
        publisher?.write(text, to: stream == .standardError ? .standardError : .standardOutput)
    }

    func readLine(prompt: String) -> String? {
        // No stdin (allow_stdin false, a handler) or an interrupt: the script sees nil, as at end of input.
        try? context?.readLine(prompt: prompt)
    }

    /// Sends the text written into an Output widget that waits (only batch `batch`, when given: the timer's).
    func flushOutputStream(batch: Int? = nil) {
        streamLock.lock()
        defer { streamLock.unlock() }
        if let batch, pendingStream?.batch != batch { return }
        sendPendingStream()
    }

    /// Sends the waiting text; the caller holds `streamLock`.
    private func sendPendingStream() {
        guard let pending = pendingStream else { return }
        pendingStream = nil
        pending.widget.appendStream(pending.text, name: pending.name)
    }

    func display(_ bundle: MIMEBundle, id: String) {
        flushOutputStream()
        if case .output(let widget) = sink { return widget.appendDisplay(bundle, displayID: id) }
        publisher?.display(bundle, displayID: id)
    }

    func updateDisplay(_ bundle: MIMEBundle, id: String) {
        flushOutputStream()
        if case .output(let widget) = sink {
            widget.updateDisplay(bundle, displayID: id)
            return
        }
        publisher?.updateDisplay(bundle, displayID: id)
    }

    func clearOutput(wait: Bool) {
        flushOutputStream()
        if case .output(let widget) = sink { return widget.clearOutputs(wait: wait) }
        publisher?.clearOutput(wait: wait)
    }
}
