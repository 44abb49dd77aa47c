// LiveOutput: one output that changes while long work runs (a training run today; a search study or an
// explanation tomorrow), published through the session's host like every other display.
import Foundation
import RichDisplay
import RigorScript

/// An output shown once and then replaced in place — at most once per the host's `liveUpdateInterval`, and always in
/// its final state — through the session's `RichOutputHost` (in the kernel: `display_data`, then
/// `update_display_data` with the same display id). On a host without rich output (`rigor run` in a terminal) the
/// milestones it is given (an epoch's line, a stop) are printed to standard error instead, one per line.
///
/// Runs on the interpreter's thread, like the builtin that drives it.
final class LiveOutput {
    private let context: CallContext
    private let prefix: String
    private var id: String?
    private var lastUpdate = Date.distantPast

    /// `prefix` names the display ids (`rigor-fit-…`), for the front end's logs.
    init(context: CallContext, prefix: String) {
        self.context = context
        self.prefix = prefix
    }

    private var rich: RichOutputHost? { context.host as? RichOutputHost }

    /// Shows the first state.
    func begin(_ bundle: @autoclosure () -> MIMEBundle) {
        guard let rich else { return }
        let id = "\(prefix)-" + UUID().uuidString.lowercased()
        self.id = id
        lastUpdate = Date()
        rich.display(bundle(), id: id)
    }

    /// A new state: replaces the output unless the last update was too recent (`bundle` is then not even made). A
    /// `line`, if given, is a milestone a terminal prints.
    func update(_ bundle: @autoclosure () -> MIMEBundle, line: String? = nil) {
        guard let rich else {
            if let line { context.write(line + "\n", to: .standardError) }
            return
        }
        let now = Date()
        guard let id, now.timeIntervalSince(lastUpdate) >= rich.liveUpdateInterval else { return }
        lastUpdate = now
        rich.updateDisplay(bundle(), id: id)
    }

    /// The final state, always shown; a `line` is printed by a terminal.
    func end(_ bundle: @autoclosure () -> MIMEBundle, line: String? = nil) {
        guard let rich else {
            if let line { context.write(line + "\n", to: .standardError) }
            return
        }
        guard let id else { return }
        rich.updateDisplay(bundle(), id: id)
        self.id = nil
    }
}
