import JupyterKernel
import RichDisplay
import RigorLibrary
import RigorScript

/// The session's host while it serves Jupyter: output becomes `stream` messages and `readLine`
/// an `input_request`, through the context of the request being run.
///
/// The session calls it on its executor thread while the shell thread waits for the cell, so the
/// context is never used by two threads at once.
final class KernelHost: RichOutputHost {
    /// The request being run; `nil` between requests (output is then dropped).
    var context: ExecutionContext?

    func write(_ text: String, to stream: OutputStreamKind) {
        context?.publisher.write(text, to: stream == .standardError ? .standardError : .standardOutput)
    }

    func readLine(prompt: String) -> String? {
        // No stdin (allow_stdin false) or an interrupt: the script sees nil, as at end of input.
        try? context?.readLine(prompt: prompt)
    }

    func display(_ bundle: MIMEBundle, id: String) { context?.publisher.display(bundle, displayID: id) }

    func updateDisplay(_ bundle: MIMEBundle, id: String) { context?.publisher.updateDisplay(bundle, displayID: id) }

    func clearOutput(wait: Bool) { context?.publisher.clearOutput(wait: wait) }
}
