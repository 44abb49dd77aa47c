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
final class KernelHost: RichOutputHost {
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
    var sink: Sink?

    /// The cell being run (nil otherwise).
    var context: ExecutionContext? {
        get {
            if case .request(let context) = sink { return context }
            return nil
        }
        set { sink = newValue.map(Sink.request) }
    }

    private var publisher: Publisher? {
        switch sink {
        case .request(let context): context.publisher
        case .publisher(let publisher): publisher
        case .output, nil: nil
        }
    }

    var hasSink: Bool { sink != nil }

    func write(_ text: String, to stream: OutputStreamKind) {
        if case .output(let widget) = sink {
            widget.appendStream(text, name: stream == .standardError ? "stderr" : "stdout")
            return
        }
        publisher?.write(text, to: stream == .standardError ? .standardError : .standardOutput)
    }

    func readLine(prompt: String) -> String? {
        // No stdin (allow_stdin false, a handler) or an interrupt: the script sees nil, as at end of input.
        try? context?.readLine(prompt: prompt)
    }

    func display(_ bundle: MIMEBundle, id: String) {
        if case .output(let widget) = sink { return widget.appendDisplay(bundle, displayID: id) }
        publisher?.display(bundle, displayID: id)
    }

    func updateDisplay(_ bundle: MIMEBundle, id: String) {
        if case .output(let widget) = sink {
            widget.updateDisplay(bundle, displayID: id)
            return
        }
        publisher?.updateDisplay(bundle, displayID: id)
    }

    func clearOutput(wait: Bool) {
        if case .output(let widget) = sink { return widget.clearOutputs(wait: wait) }
        publisher?.clearOutput(wait: wait)
    }
}
